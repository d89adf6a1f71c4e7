import { describe, expect, it } from '@jest/globals';
import { celerySettings, InvalidCeleryOptionError, resolveServerOptions, type ServerCeleryOptions } from './server-celery.options.js';

const URL = 'amqp://guest:guest@127.0.0.1:5672//';

function invalid(options: ServerCeleryOptions): InvalidCeleryOptionError {
  try {
    resolveServerOptions(options, URL);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidCeleryOptionError);
    expect((error as Error).name).toBe('InvalidCeleryOptionError');
    return error as InvalidCeleryOptionError;
  }
  throw new Error('expected InvalidCeleryOptionError');
}

describe('resolveServerOptions', () => {
  it('fills in the documented defaults', () => {
    expect(resolveServerOptions({}, URL)).toEqual({
      service: undefined,
      conventionQueues: [],
      explicitPrefetch: undefined,
      asyncBrokerUrl: undefined,
      router: undefined,
      brokerUrl: URL,
      queues: [{ name: 'celery' }],
      concurrency: 16,
      prefetchCount: 64,
      acksLate: true,
      resultBackend: 'rpc',
      resultBackendUrl: undefined,
      resultExpiresMs: undefined,
      resultExtended: false,
      resultBackendTls: undefined,
      trackStarted: false,
      defaultQueue: 'celery',
      deadLetter: undefined,
      shutdownTimeoutMs: 30_000,
      wireHeaders: 'compact',
      etaHoldLimitMs: 900_000,
      remoteControl: true,
      workerEvents: true,
      taskEvents: false,
      heartbeatSeconds: 30,
      failoverStrategy: 'round-robin',
      queueType: 'classic',
      deliveryLimit: 20,
      nativeDelayedDelivery: false,
    });
  });

  it('quorum queues: per queue or as the default, with native delayed delivery and a delivery limit', () => {
    expect(resolveServerOptions({ queueType: 'quorum' }, URL)).toMatchObject({ queueType: 'quorum', nativeDelayedDelivery: true, deliveryLimit: 20 });
    expect(resolveServerOptions({ queues: [{ name: 'q', queueType: 'quorum' }] }, URL).nativeDelayedDelivery).toBe(true);
    expect(() => resolveServerOptions({ queueType: 'stream' as never }, URL)).toThrow(/'queueType' must be 'classic' or 'quorum'/);
    expect(() => resolveServerOptions({ deliveryLimit: 0 }, URL)).toThrow(/deliveryLimit/);
    expect(() => resolveServerOptions({ brokerConnection: { heartbeatSeconds: -1 } }, URL)).toThrow(/brokerConnection.*heartbeatSeconds/);
  });

  it('validates workerEvents and taskEvents as booleans (worker heartbeats on, task events off by default)', () => {
    expect(resolveServerOptions({ workerEvents: false, taskEvents: true }, URL)).toMatchObject({ workerEvents: false, taskEvents: true });
    expect(() => resolveServerOptions({ workerEvents: 1 as unknown as boolean }, URL)).toThrow(
      "ServerCelery option 'workerEvents' must be true or false, got 1",
    );
    expect(() => resolveServerOptions({ taskEvents: 'yes' as unknown as boolean }, URL)).toThrow(
      "ServerCelery option 'taskEvents' must be true or false, got yes",
    );
  });

  it('celerySettings names the worker settings like Celery for inspect conf', () => {
    expect(celerySettings(resolveServerOptions({ defaultQueue: 'q', trackStarted: true }, URL))).toEqual({
      result_backend: 'rpc://',
      task_default_queue: 'q',
      task_track_started: true,
      worker_enable_remote_control: true,
    });
    expect(celerySettings(resolveServerOptions({ resultExtended: true, queueType: 'quorum' }, URL))).toMatchObject({
      result_extended: true,
      task_default_queue_type: 'quorum',
    });
    expect(celerySettings(resolveServerOptions({ resultBackend: 'disabled' }, URL)).result_backend).toBeNull();
    expect(celerySettings(resolveServerOptions({ resultBackend: 'redis://:secret@h:6379/1' }, URL)).result_backend).toBe('redis://:********@h:6379/1');
  });

  it("validates resultBackend ('rpc://', 'disabled', redis URLs), resultExpiresMs and resultExtended", () => {
    expect(resolveServerOptions({ resultBackend: 'rpc://' }, URL).resultBackend).toBe('rpc');
    expect(resolveServerOptions({ resultBackend: 'rediss://h/2', resultExtended: true }, URL)).toMatchObject({
      resultBackend: 'redis',
      resultBackendUrl: 'rediss://h/2',
      resultExtended: true,
    });
    expect(() => resolveServerOptions({ resultExpiresMs: -1 }, URL)).toThrow("ServerCelery option 'resultExpiresMs'");
    expect(() => resolveServerOptions({ resultExtended: 'yes' as unknown as boolean }, URL)).toThrow("'resultExtended' must be true or false");
  });

  it('validates etaHoldLimitMs as false or an integer number of ms from 1000 to 2^31-1', () => {
    expect(resolveServerOptions({ etaHoldLimitMs: false }, URL).etaHoldLimitMs).toBe(false);
    expect(resolveServerOptions({ etaHoldLimitMs: 60_000 }, URL).etaHoldLimitMs).toBe(60_000);
    for (const bad of [999, 1.5e3 + 0.5, 2 ** 31, '60000', true, Number.NaN]) {
      expect(() => resolveServerOptions({ etaHoldLimitMs: bad as number }, URL)).toThrow(
        "ServerCelery option 'etaHoldLimitMs' must be false or an integer from 1000 to 2147483647 (ms)",
      );
    }
  });

  it('validates remoteControl as a boolean', () => {
    expect(resolveServerOptions({ remoteControl: false }, URL).remoteControl).toBe(false);
    expect(() => resolveServerOptions({ remoteControl: 'no' as unknown as boolean }, URL)).toThrow(
      "ServerCelery option 'remoteControl' must be true or false",
    );
  });

  it('keeps given values and derives the prefetch from the concurrency', () => {
    const resolved = resolveServerOptions(
      {
        brokerUrl: 'amqp://x',
        queues: ['a', { name: 'b', arguments: { 'x-max-priority': 10 } }],
        concurrency: 3,
        acksLate: false,
        resultBackend: 'disabled',
        trackStarted: true,
        defaultQueue: 'work',
        shutdownTimeoutMs: 5,
      },
      URL,
    );
    expect(resolved).toMatchObject({
      brokerUrl: 'amqp://x',
      queues: [{ name: 'a' }, { name: 'b', arguments: { 'x-max-priority': 10 } }],
      concurrency: 3,
      prefetchCount: 12,
      acksLate: false,
      resultBackend: 'disabled',
      trackStarted: true,
      defaultQueue: 'work',
      shutdownTimeoutMs: 5,
    });
    expect(resolveServerOptions({ concurrency: 3, prefetchCount: 1 }, URL).prefetchCount).toBe(1);
  });

  it('names the dead-letter queue after the exchange by default', () => {
    expect(resolveServerOptions({ deadLetter: { exchange: 'dlx' } }, URL).deadLetter).toEqual({ exchange: 'dlx', queue: 'dlx.queue' });
    expect(resolveServerOptions({ deadLetter: { exchange: 'dlx', queue: 'dead' } }, URL).deadLetter).toEqual({
      exchange: 'dlx',
      queue: 'dead',
    });
  });

  it.each([
    ['concurrency', 0],
    ['concurrency', -1],
    ['concurrency', 1.5],
    ['concurrency', '4'],
    ['concurrency', Number.NaN],
    ['prefetchCount', 0],
    ['shutdownTimeoutMs', 0.5],
  ])('rejects %s = %p, naming the option', (option, value) => {
    const error = invalid({ [option]: value } as ServerCeleryOptions);
    expect(error.message).toContain(`'${option}'`);
    expect(error.message).toContain('positive integer');
    expect(error.message).toContain(String(value));
  });

  it('rejects empty or malformed queue lists', () => {
    expect(invalid({ queues: [] }).message).toContain("'queues'");
    expect(invalid({ queues: 'celery' as unknown as string[] }).message).toContain("'queues'");
    expect(invalid({ queues: [''] }).message).toContain("'queues' has an entry without a name");
    expect(invalid({ queues: [{ name: '' }] }).message).toContain("'queues'");
    expect(invalid({ queues: [null as unknown as string] }).message).toContain("'queues'");
  });

  it('rejects an unknown result backend', () => {
    const error = invalid({ resultBackend: 'redis' as 'rpc' });
    expect(error.message).toContain("'resultBackend'");
    expect(error.message).toContain('redis');
  });

  it('rejects a dead-letter option without an exchange', () => {
    expect(invalid({ deadLetter: { exchange: '' } }).message).toContain("'deadLetter.exchange'");
    expect(invalid({ deadLetter: {} as { exchange: string } }).message).toContain("'deadLetter.exchange'");
  });
});

describe('resolveServerOptions: service', () => {
  it('takes a service name and dead-letters to <service>.dead-letter unless deadLetter is set', () => {
    const resolved = resolveServerOptions({ service: 'billing' }, 'amqp://x');
    expect(resolved.service).toBe('billing');
    expect(resolved.deadLetter).toEqual({ exchange: 'billing.dead-letter', queue: 'billing.dead-letter' });
    expect(resolveServerOptions({ service: 'billing', deadLetter: { exchange: 'dlx' } }, 'amqp://x').deadLetter).toEqual({
      exchange: 'dlx',
      queue: 'dlx.queue',
    });
    expect(resolveServerOptions({}, 'amqp://x')).toMatchObject({ service: undefined, deadLetter: undefined });
  });

  it.each(['', 'bill ing', 'a.b', 42])('refuses service %p', (service) => {
    expect(() => resolveServerOptions({ service: service as string }, 'amqp://x')).toThrow(/'service' must be a non-empty string of \[A-Za-z0-9_-\]/);
  });
});
