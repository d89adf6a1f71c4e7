import { describe, expect, it } from '@jest/globals';
import { celeryQueueTopology } from '../broker/topology.js';
import { InvalidTaskRoutesError } from './routing.errors.js';
import { serviceConvention } from './service-convention.js';
import { taskQueueTopology } from './task-queue.js';
import { TaskRouter } from './task-router.js';

describe('TaskRouter', () => {
  const router = new TaskRouter({
    routes: [{ 'billing.sync.special': { queue: 'special' } }, (name) => (name === 'billing.async.pinned' ? { queue: 'billing.sync' } : undefined)],
    services: ['billing'],
  });

  it('asks taskRoutes before the convention', () => {
    expect(router.route('billing.sync.special', [], {}, {})).toEqual({ queue: 'special' });
    expect(router.route('billing.sync.get_invoice', [], {}, {})).toMatchObject({ queue: 'billing.sync', routingKey: 'billing.sync.get_invoice' });
  });

  it('returns the caller options unchanged (same object) when nothing matches', () => {
    const options = { priority: 1 };
    expect(router.route('other.task', [], {}, options)).toBe(options);
    expect(new TaskRouter().route('x', [], {}, options)).toBe(options);
  });

  it('lets explicit call options win over the route', () => {
    expect(router.route('billing.async.x', [], {}, { deliveryMode: 1, replyTo: 'mine' })).toMatchObject({
      queue: 'billing.async',
      deliveryMode: 1,
      replyTo: 'mine',
      ignoreResult: true,
    });
  });

  it('resolves a convention queue to its topic exchange, routing key and kombu topology', () => {
    const routed = router.route('billing.sync.get_invoice', [], {}, {});
    expect(router.resolve(routed, 'celery', 'billing.sync.get_invoice')).toEqual({
      exchange: 'billing',
      routingKey: 'billing.sync.get_invoice',
      queue: 'billing.sync',
      declare: taskQueueTopology(serviceConvention('billing').sync),
      lane: 'sync',
    });
  });

  it("uses the queue's binding key when the route gives no routing key (as kombu does)", () => {
    expect(router.resolve({ queue: 'billing.async' }, 'celery', 't')).toMatchObject({
      exchange: 'billing',
      routingKey: 'billing.async.#',
      lane: 'async',
    });
  });

  it("falls back to Celery's queue= semantics for unknown queues and explicit exchanges", () => {
    expect(router.resolve({ queue: 'special' }, 'celery', 't')).toEqual({
      exchange: '',
      routingKey: 'special',
      queue: 'special',
      declare: celeryQueueTopology('special'),
    });
    expect(router.resolve({ exchange: 'ex', queue: 'billing.sync', routingKey: 'rk' }, 'celery', 't')).toEqual({
      exchange: 'ex',
      routingKey: 'rk',
      queue: 'billing.sync',
    });
    expect(router.resolve({}, 'celery', 't')).toMatchObject({ exchange: '', routingKey: 'celery' });
  });

  it('sends a known direct queue through the default exchange, like kombu', () => {
    const direct = new TaskRouter({ queues: [{ name: 'd', exchange: 'dx', exchangeType: 'direct', bindingKey: 'dk' }] });
    expect(direct.resolve({ queue: 'd', routingKey: 'x' }, 'celery', 't')).toMatchObject({ exchange: '', routingKey: 'd', queue: 'd' });
  });

  it('validates services and routes up front', () => {
    expect(() => new TaskRouter({ services: ['bad.name'] })).toThrow(InvalidTaskRoutesError);
    expect(() => new TaskRouter({ services: 'billing' as never })).toThrow(/'services' must be an array/);
    expect(() => new TaskRouter({ routes: { t: 5 as never } })).toThrow(InvalidTaskRoutesError);
  });
});
