/**
 * A client's failures are typed errors it can catch, on real RabbitMQ: a wrong password is a
 * `BrokerAuthenticationError` within moments (not "not reachable within 30000 ms"), and closing a
 * client while a send is still connecting rejects that send with `BrokerClosedError` (not
 * amqplib's untyped "Channel ended").
 */
import { BrokerAuthenticationError, BrokerClosedError, CeleryClient } from 'nestjs-celery';
import { BROKER_URL } from './support/broker-url.js';

const silent = { log: () => undefined, error: () => undefined, warn: () => undefined };

function withPassword(url: string, password: string): string {
  const parsed = new URL(url);
  parsed.password = password;
  return parsed.toString();
}

describe('typed client errors (real RabbitMQ)', () => {
  it('a wrong password is a BrokerAuthenticationError within a few seconds, for connect() and sendTask()', async () => {
    const client = new CeleryClient({ brokerUrl: withPassword(BROKER_URL, 'not-the-password'), logger: silent });
    try {
      const started = Date.now();
      const connectError = await client.connect().catch((error: unknown) => error);
      const connectMs = Date.now() - started;
      const sendStarted = Date.now();
      const sendError = await client.sendTask('any.task', [1]).catch((error: unknown) => error);
      const sendMs = Date.now() - sendStarted;
      console.log(`wrong password: connect() rejected after ${connectMs} ms, sendTask() after ${sendMs} ms`);
      for (const error of [connectError, sendError]) {
        expect(error).toBeInstanceOf(BrokerAuthenticationError);
        expect((error as Error).message).toMatch(/refused the login.*check the user name and password/);
        expect((error as Error).message).not.toContain('not-the-password');
      }
      expect(connectMs).toBeLessThan(5000);
      expect(sendMs).toBeLessThan(5000);
    } finally {
      await client.close();
    }
  });

  it('closing the client while a send is connecting rejects the send with BrokerClosedError', async () => {
    const outcomes: string[] = [];
    for (const delayMs of [0, 0, 1, 2, 5, 10, 20, 40]) {
      const client = new CeleryClient({ brokerUrl: BROKER_URL, connectionName: 'e2e close-while-connecting', logger: silent });
      const sent = client.sendTask('any.task', [1], {}, { queue: 'e2e.close-while-connecting' });
      setTimeout(() => void client.close(), delayMs);
      const outcome = await sent.then(
        () => 'sent',
        (error: unknown) => (error instanceof BrokerClosedError ? 'BrokerClosedError' : `untyped ${String(error)}`),
      );
      await client.close();
      outcomes.push(`${delayMs} ms: ${outcome}`);
    }
    console.log(`close while connecting: ${outcomes.join('; ')}`);
    expect(outcomes.filter((o) => o.includes('untyped'))).toEqual([]);
    expect(outcomes.some((o) => o.endsWith('BrokerClosedError'))).toBe(true);
  });
});
