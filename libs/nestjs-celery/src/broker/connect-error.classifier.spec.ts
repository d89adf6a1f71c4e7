import { BrokerAuthenticationError, BrokerConfigurationError, TopologyMismatchError } from './broker.errors.js';
import { fatalConnectError } from './connect-error.classifier.js';

const URL = 'amqp://***@127.0.0.1:5672//';

describe('fatalConnectError', () => {
  it('a login refused by RabbitMQ (amqplib handshake error, 403) is a BrokerAuthenticationError saying what to fix', () => {
    const refused = new Error(
      'Handshake terminated by server: 403 (ACCESS-REFUSED) with message "ACCESS_REFUSED - Login was refused using authentication mechanism PLAIN. For details see the broker logfile."',
    );
    const fatal = fatalConnectError(refused, URL);
    expect(fatal).toBeInstanceOf(BrokerAuthenticationError);
    expect(fatal?.message).toBe(
      'RabbitMQ at amqp://***@127.0.0.1:5672// refused the login (403 ACCESS_REFUSED): check the user name and password in the broker URL',
    );
  });

  it('a URL amqplib cannot parse is a BrokerConfigurationError', () => {
    expect(fatalConnectError(new Error('Expected amqp: or amqps: as the protocol; got '), URL)).toBeInstanceOf(BrokerConfigurationError);
  });

  it('a declaration conflict found on reconnect stays fatal', () => {
    const conflict = new TopologyMismatchError('queue x exists with other attributes');
    expect(fatalConnectError(conflict, URL)).toBe(conflict);
  });

  it.each([
    ['refused socket', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5672'), { code: 'ECONNREFUSED' })],
    ['DNS failure', Object.assign(new Error('getaddrinfo ENOTFOUND rabbit'), { code: 'ENOTFOUND' })],
    ['missing vhost (530 NOT_ALLOWED)', new Error('Expected ConnectionOpenOk; got <ConnectionClose channel:0>')],
    ['socket closed mid-handshake', new Error('Socket closed abruptly during opening handshake')],
    ['broker shutting down', new Error('Connection closed: 320 (CONNECTION-FORCED) with message "CONNECTION_FORCED - broker forced connection closure with reason \'shutdown\'"')],
    ['heartbeat timeout', new Error('Heartbeat timeout')],
  ])('%s is transient (retried)', (_label, error) => {
    expect(fatalConnectError(error, URL)).toBeUndefined();
  });
});
