import { describe, expect, it } from '@jest/globals';
import { amqpConnectArgs } from './amqp-connect-args.js';
import { BrokerFailover } from './broker-failover.js';
import { brokerUrlList, joinBrokerUrls, resolveBrokerConnection } from './broker-connection.options.js';
import { BrokerConfigurationError, BrokerTlsError } from './broker.errors.js';
import { fatalConnectError } from './connect-error.classifier.js';

describe('BrokerConnectionOptions', () => {
  it("reads kombu's `a;b` failover list and arrays", () => {
    expect(brokerUrlList('amqp://a//;amqp://b//')).toEqual(['amqp://a//', 'amqp://b//']);
    expect(brokerUrlList(['amqp://a//', 'amqp://b//', ''])).toEqual(['amqp://a//', 'amqp://b//']);
    expect(joinBrokerUrls(['amqp://a//', 'amqp://b//'])).toBe('amqp://a//;amqp://b//');
  });

  it('fills in defaults', () => {
    expect(resolveBrokerConnection(['amqp://a//'])).toMatchObject({
      heartbeatSeconds: 30,
      connectionTimeoutMs: 10_000,
      handshakeTimeoutMs: 20_000,
      failoverStrategy: 'round-robin',
      reconnectInitialDelayMs: 100,
      reconnectMaxDelayMs: 5000,
      operationTimeoutMs: 30_000,
    });
  });

  it.each([
    [{ heartbeatSeconds: -1 }, /heartbeatSeconds/],
    [{ frameMax: 10 }, /frameMax/],
    [{ channelMax: 1.5 }, /channelMax/],
    [{ failoverStrategy: 'random' }, /failoverStrategy/],
    [{ vhost: '' }, /vhost/],
    [{ tls: { ca: 'x', cafile: '/x' } }, /unknown field\(s\) cafile/],
    [{ reconnectMaxAttempts: 0 }, /reconnectMaxAttempts/],
  ])('refuses %j with an error naming the option', (options, message) => {
    expect(() => resolveBrokerConnection(['amqps://a//'], options as never)).toThrow(message);
    expect(() => resolveBrokerConnection(['amqps://a//'], options as never)).toThrow(BrokerConfigurationError);
  });

  it('refuses TLS settings for an amqp:// URL (they would be ignored), never quoting the URL', () => {
    expect(() => resolveBrokerConnection(['amqps://u:secret@a//', 'amqp://u:secret@b//'], { tls: { ca: 'x' } })).toThrow(/needs amqps:\/\//);
    try {
      resolveBrokerConnection(['amqp://u:secret@b//'], { tls: { passphrase: 'pw-secret' } });
    } catch (error) {
      expect((error as Error).message).not.toMatch(/secret/);
    }
  });

  it("hands amqplib's public connect options: query settings, vhost, socket timeout, TLS, client properties", () => {
    const settings = resolveBrokerConnection(['amqps://u:p@node-1:5671/prod?heartbeat=5'], {
      frameMax: 65_536,
      channelMax: 100,
      vhost: '/',
      connectionTimeoutMs: 1234,
      tls: { ca: 'CA', servername: 'rabbit.local', rejectUnauthorized: true },
      clientProperties: { team: 'billing' },
    });
    const args = amqpConnectArgs(settings.urls[0]!, settings, 'worker-1');
    expect(args.url).toBe('amqps://u:p@node-1:5671/%2F?heartbeat=5&frameMax=65536&channelMax=100');
    expect(args.socketOptions).toEqual({
      noDelay: true,
      timeout: 1234,
      clientProperties: { team: 'billing', connection_name: 'worker-1' },
      ca: 'CA',
      servername: 'rabbit.local',
      rejectUnauthorized: true,
    });
    const plain = resolveBrokerConnection(['amqp://u:p@h//']);
    expect(amqpConnectArgs('amqp://u:p@h//', plain, 'c').url).toBe('amqp://u:p@h//?heartbeat=30');
  });
});

describe('BrokerFailover', () => {
  it('round-robin: every URL once per round, in order', () => {
    const failover = new BrokerFailover(['a', 'b', 'c'], 'round-robin');
    const seen = [failover.current];
    const rounds: boolean[] = [];
    for (let i = 0; i < 4; i++) {
      rounds.push(failover.advance());
      seen.push(failover.current);
    }
    expect(seen).toEqual(['a', 'b', 'c', 'a', 'b']);
    expect(rounds).toEqual([false, false, true, false]);
  });

  it('shuffle: each round a permutation of all URLs', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    const failover = new BrokerFailover(['a', 'b', 'c', 'd'], 'shuffle', random);
    for (let round = 0; round < 3; round++) {
      const order = [failover.current];
      while (!failover.advance()) order.push(failover.current);
      expect([...order].sort()).toEqual(['a', 'b', 'c', 'd']);
    }
  });
});

describe('TLS failures are fatal and typed', () => {
  it.each(['SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'ERR_TLS_CERT_ALTNAME_INVALID', 'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA'])(
    '%s becomes BrokerTlsError with the code',
    (code) => {
      const error = Object.assign(new Error('verify failed'), { code });
      const fatal = fatalConnectError(error, 'amqps://u:********@h:5671//');
      expect(fatal).toBeInstanceOf(BrokerTlsError);
      expect((fatal as BrokerTlsError).code).toBe(code);
      expect(fatal!.message).toContain('brokerConnection.tls');
    },
  );

  it('a refused or reset socket stays transient', () => {
    for (const code of ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT']) {
      expect(fatalConnectError(Object.assign(new Error(code), { code }), 'amqps://h//')).toBeUndefined();
    }
  });
});
