import { describe, expect, it } from '@jest/globals';
import { InvalidCeleryOptionError, resolveServerOptions, type ServerCeleryOptions } from './server-celery.options.js';
import { planWorkerQueues } from './worker-queue.plan.js';

const URL = 'amqp://guest:guest@127.0.0.1:5672//';
const resolve = (options: ServerCeleryOptions) => resolveServerOptions(options, URL);

describe('ServerCelery service routing options', () => {
  it('consumes only the convention queues for a named service, each with its own limit', () => {
    const resolved = resolve({ service: 'billing', concurrency: { sync: 8, async: 2 } });
    expect(resolved.queues).toEqual([]);
    expect(resolved.service).toBe('billing');
    expect(planWorkerQueues(resolved).map(({ name, lane, concurrency, prefetch }) => ({ name, lane, concurrency, prefetch }))).toEqual([
      { name: 'billing.sync', lane: 'sync', concurrency: 8, prefetch: 32 },
      { name: 'billing.async', lane: 'async', concurrency: 2, prefetch: 8 },
    ]);
  });

  it('declares the convention queues bound to the topic exchange', () => {
    const [sync] = planWorkerQueues(resolve({ service: 'billing' }));
    expect(sync!.topology.exchanges).toEqual([{ name: 'billing', type: 'topic', durable: true, autoDelete: false }]);
    expect(sync!.topology.bindings).toEqual([{ queue: 'billing.sync', exchange: 'billing', routingKey: 'billing.sync.#' }]);
  });

  it('adds explicit queues beside the convention (a convention name in queues is declared the convention way)', () => {
    const plans = planWorkerQueues(resolve({ service: 'billing', queues: ['extra', 'billing.sync', { name: 'slow', concurrency: 1 }], concurrency: 4 }));
    expect(plans.map((p) => [p.name, p.concurrency, p.prefetch])).toEqual([
      ['extra', undefined, 16],
      ['slow', 1, 4],
      ['billing.sync', 4, 16],
      ['billing.async', 4, 16],
    ]);
    expect(plans[2]!.topology.exchanges![0]!.type).toBe('topic');
  });

  it('turns the convention off, or one half of it', () => {
    expect(resolve({ service: 'billing', serviceQueues: false }).queues).toEqual([{ name: 'celery' }]);
    expect(resolve({ service: 'billing', serviceQueues: false }).conventionQueues).toEqual([]);
    expect(resolve({ service: 'billing', serviceQueues: { async: false } }).conventionQueues.map((q) => q.name)).toEqual(['billing.sync']);
  });

  it('keeps an explicit prefetch for every consumer', () => {
    expect(planWorkerQueues(resolve({ service: 'b', prefetchCount: 3, concurrency: { sync: 8 } })).map((p) => p.prefetch)).toEqual([3, 3]);
  });

  it('builds a follow-up router from taskRoutes, its own service and services', () => {
    const { router } = resolve({ service: 'billing', services: ['logistic'], taskRoutes: { 'x.*': 'xq' } });
    expect(router!.route('x.y', [], {}, {})).toEqual({ queue: 'xq' });
    expect(router!.route('logistic.async.schedule', [], {}, {})).toMatchObject({ queue: 'logistic.async' });
    expect(router!.route('billing.sync.charge', [], {}, {})).toMatchObject({ queue: 'billing.sync' });
    expect(resolve({}).router).toBeUndefined();
  });

  it.each<[string, ServerCeleryOptions, RegExp]>([
    ['a service with a dot', { service: 'bill.ing' }, /'service' must be a non-empty string of \[A-Za-z0-9_-\]/],
    ['an empty service', { service: '' }, /'service'/],
    ['per-lane concurrency without a service', { concurrency: { sync: 2 } }, /needs option 'service'/],
    ['a zero sync concurrency', { service: 'b', concurrency: { sync: 0 } }, /'concurrency.sync' must be a positive integer/],
    ['a bad queue concurrency', { queues: [{ name: 'q', concurrency: 1.5 }] }, /'queues\[q\].concurrency'/],
    ['a bad serviceQueues', { service: 'b', serviceQueues: 'yes' as never }, /'serviceQueues'/],
    ['a bad asyncBrokerUrl', { asyncBrokerUrl: 'kafka://x' }, /'asyncBrokerUrl'/],
    ['bad services', { services: ['a b'] }, /'services'/],
    ['bad taskRoutes', { taskRoutes: { t: 3 as never } }, /'taskRoutes'/],
  ])('rejects %s with InvalidCeleryOptionError', (_label, options, message) => {
    expect(() => resolve(options)).toThrow(InvalidCeleryOptionError);
    expect(() => resolve(options)).toThrow(message);
  });
});
