import { isRedisUrl } from './redis/redis-url.js';
import { describe, expect, it } from '@jest/globals';
import type { LoggerService } from '@nestjs/common';
import { brokerInfo } from '../control/worker-stats.js';
import { censorSettings, maskBrokerUrl, sanitizeUrl } from '../control/worker/worker-conf.js';
import { resolveServiceRouting } from '../server/service-routing.options.js';
import { AmqpBroker } from './amqp-broker.js';
import { createBroker } from './broker.factory.js';
import { redactUrl, redactUrlIn, URL_SECRET_MASK } from './broker-url.redaction.js';

/** The secret every spelling below carries, in some encoding. */
const SECRET = 'S3cr3tPw';
const leaks = (text: string) => text.includes(SECRET) || text.includes('S3cr3t') || text.includes('3tPw');

/** Spellings of a broker URL with a password; the password must never come out of any of them. */
const SPELLINGS: string[] = [
  `amqp://guest:${SECRET}@127.0.0.1:5672//`,
  `AMQP://guest:${SECRET}@127.0.0.1:5672//`,
  `Amqps://guest:${SECRET}@host/vh`,
  `amqp:/guest:${SECRET}@127.0.0.1:5672/vh`,
  `amqp:guest:${SECRET}@127.0.0.1/vh`,
  `amqp:///guest:${SECRET}@host/vh`,
  `redis://:${SECRET}@127.0.0.1:6379/0`,
  `REDIS://user:${SECRET}@127.0.0.1:6379/0`,
  `rediss://${SECRET}@cache:6380`,
  `amqp://guest:${SECRET}@[::1]:5672/vh`,
  `amqp://guest:${SECRET}@[fe80::1%25eth0]/vh`,
  `amqp://gu%40est:S3cr%33tPw@host/vh`,
  `amqp://guest:S3cr3t%2FPw@host/vh`,
  `amqp://guest:S3cr3t/Pw@host/vh`,
  `amqp://guest:S3cr3t@Pw@host/vh`,
  `amqp://guest:S3cr3t?Pw@host/vh`,
  `amqp://guest:S3cr3t#Pw@host/vh`,
  `redis://${SECRET}@host/0`,
  `amqp://guest:${SECRET}`,
  `amqp//guest:${SECRET}@host/vh`,
  `guest:${SECRET}@host`,
  `  amqp://guest:${SECRET}@host/vh  `,
  `amqp://guest:${SECRET}@host/v@h`,
];

describe('redactUrl', () => {
  it.each(SPELLINGS)('%s keeps no trace of the password', (url) => {
    const redacted = redactUrl(url);
    expect(leaks(redacted)).toBe(false);
    expect(redacted).toContain(URL_SECRET_MASK);
  });

  it('keeps the user, host, port and path of a well-formed URL, like kombu masks it', () => {
    expect(redactUrl(`amqp://guest:${SECRET}@127.0.0.1:5672//`)).toBe('amqp://guest:********@127.0.0.1:5672//');
    expect(redactUrl(`AMQP://guest:${SECRET}@[::1]:5672/vh`)).toBe('AMQP://guest:********@[::1]:5672/vh');
    expect(redactUrl(`redis://:${SECRET}@h:6379/0`)).toBe('redis://:********@h:6379/0');
    expect(redactUrl(`amqp:/guest:${SECRET}@h/vh`)).toBe('amqp:/guest:********@h/vh');
  });

  it('masks the whole userinfo when in doubt (no colon, an @ past the host, no scheme)', () => {
    expect(redactUrl(`amqp://${SECRET}@host/vh`)).toBe('amqp://********@host/vh');
    expect(redactUrl('amqp://guest:S3cr3t/Pw@host/vh')).toBe('amqp://********@host/vh');
    expect(redactUrl(`amqp://guest:${SECRET}`)).toBe('amqp://********');
  });

  it('leaves text without credentials unchanged', () => {
    for (const url of ['amqp://host', 'amqp://127.0.0.1:5672//', 'amqp://[::1]:5672/vh', 'rpc://', 'memory://demo', 'celery', '', 'a:b']) {
      expect(redactUrl(url)).toBe(url);
    }
  });

  it('redactUrlIn scrubs a quoted URL and stray copies of its password (raw or decoded) from free text', () => {
    const url = 'amqp://guest:S3cr%33tPw@host/vh';
    const text = `failed on ${url}: bad password 'S3cr3tPw' (raw S3cr%33tPw)`;
    const out = redactUrlIn(text, url);
    expect(leaks(out)).toBe(false);
    expect(out).toContain('amqp://guest:********@host/vh');
  });
});

describe('no output path shows the password', () => {
  it("an AMQP URL's lone userinfo is its user name (kombu reads it so): inspect conf shows it as Celery does, logs and errors mask it", () => {
    expect(maskBrokerUrl('amqp://someuser@host/vh')).toBe('amqp://someuser:********@host:5672/vh');
    expect(redactUrl('amqp://someuser@host/vh')).toBe('amqp://********@host/vh');
  });

  const quiet: LoggerService = { log: () => undefined, error: () => undefined, warn: () => undefined };
  const rejected = SPELLINGS.filter((url) => !/^amqps?:\/\//.test(url));

  it.each(rejected)('createBroker / AmqpBroker / asyncBrokerUrl errors for %s', (url) => {
    for (const attempt of [
      // a redis:// URL is a valid broker URL for createBroker (the Redis broker): see the next test
      ...(isRedisUrl(url) ? [] : [() => createBroker({ url, logger: quiet })]),
      () => new AmqpBroker({ url, logger: quiet }),
      () => resolveServiceRouting({ asyncBrokerUrl: url }, (message) => new Error(message)),
    ]) {
      let message = '';
      try {
        attempt();
      } catch (error) {
        message = `${(error as Error).message} ${String(error)}`;
      }
      expect(message).not.toBe('');
      expect(leaks(message)).toBe(false);
    }
  });

  it('Redis broker connect failures: no log line and no error shows the password', async () => {
    const lines: string[] = [];
    const logger: LoggerService = { log: (m) => lines.push(String(m)), error: (m) => lines.push(String(m)), warn: (m) => lines.push(String(m)) };
    const broker = createBroker({ url: `redis://user:${SECRET}@127.0.0.1:1/0`, logger });
    const error = await broker.whenConnected(300).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    await broker.close();
    expect(error).toBeInstanceOf(Error);
    expect(leaks(`${error!.message} ${String(error)}`)).toBe(false);
    expect(lines.filter(leaks)).toEqual([]);
  });

  it('AmqpBroker connect failures: every log line and the error the caller gets', async () => {
    const accepted = [
      `amqp://guest:${SECRET}@127.0.0.1:1//`,
      `amqp://guest:S3cr3t@Pw@127.0.0.1:1//`,
      `amqp://guest:S3cr3t/Pw@127.0.0.1:1//`,
      `amqp://guest:${SECRET}@[::1]:1//`,
      `amqp://guest:S3cr%33tPw@127.0.0.1:1//`,
      `amqp://guest:${SECRET}@127.0.0.1:notaport//`,
    ];
    for (const url of accepted) {
      const lines: string[] = [];
      const logger: LoggerService = { log: (m) => lines.push(String(m)), error: (m) => lines.push(String(m)), warn: (m) => lines.push(String(m)) };
      const broker = new AmqpBroker({ url, logger, connectTimeoutMs: 300, reconnectInitialDelayMs: 20, reconnectMaxDelayMs: 50 });
      const error = await broker.connect().then(
        () => new Error('connected?'),
        (e: unknown) => e as Error,
      );
      await broker.close();
      expect(lines.length).toBeGreaterThan(0);
      for (const text of [...lines, error.message, String(error.stack)]) expect({ url, text, leaks: leaks(text) }).toEqual({ url, text, leaks: false });
    }
  });

  it('inspect conf and inspect stats replies (IPv6 hosts included)', () => {
    for (const url of SPELLINGS) {
      const conf = censorSettings({ broker_url: url, result_backend: url, some_dsn: url, api_key: url });
      expect(leaks(JSON.stringify(conf))).toBe(false);
      expect(leaks(maskBrokerUrl(url))).toBe(false);
      expect(leaks(String(sanitizeUrl(url)))).toBe(false);
      expect(leaks(JSON.stringify(brokerInfo(url, 30)))).toBe(false);
    }
    expect(maskBrokerUrl(`amqp://guest:${SECRET}@[::1]:5672/vh`)).toBe('amqp://guest:********@[::1]:5672/vh');
    expect(sanitizeUrl(`redis://${SECRET}@h:6379/0`)).toBe('redis://********@h:6379/0');
    expect(brokerInfo(`amqp://guest:${SECRET}@[::1]:5673/vh`, 30)).toMatchObject({ hostname: '[::1]', port: 5673, userid: 'guest', virtual_host: 'vh' });
  });
});
