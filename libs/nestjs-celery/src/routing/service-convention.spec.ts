import { describe, expect, it } from '@jest/globals';
import { isServiceName, serviceConvention, serviceConventionRouter } from './service-convention.js';
import { taskQueueTopology } from './task-queue.js';

describe('serviceConvention', () => {
  it('names a topic exchange and two queues bound with <service>.sync.# and <service>.async.#', () => {
    const billing = serviceConvention('billing');
    expect(billing.sync).toEqual({ name: 'billing.sync', exchange: 'billing', exchangeType: 'topic', bindingKey: 'billing.sync.#', lane: 'sync' });
    expect(billing.async).toEqual({ name: 'billing.async', exchange: 'billing', exchangeType: 'topic', bindingKey: 'billing.async.#', lane: 'async' });
  });

  it('declares what kombu declares for Queue(name, Exchange(service, "topic"), routing_key=...): all durable, no arguments', () => {
    expect(taskQueueTopology(serviceConvention('billing').sync)).toEqual({
      exchanges: [{ name: 'billing', type: 'topic', durable: true, autoDelete: false }],
      queues: [{ name: 'billing.sync', durable: true, autoDelete: false, exclusive: false, arguments: undefined }],
      bindings: [{ queue: 'billing.sync', exchange: 'billing', routingKey: 'billing.sync.#' }],
    });
  });

  it('rejects names outside [A-Za-z0-9_-]', () => {
    expect(isServiceName('order-v2_x')).toBe(true);
    for (const bad of ['', 'a.b', 'a b', 'a#', 42]) expect(isServiceName(bad)).toBe(false);
    expect(() => serviceConvention('a.b')).toThrow(/\[A-Za-z0-9_-\]/);
  });
});

describe('serviceConventionRouter', () => {
  const route = serviceConventionRouter([serviceConvention('billing'), serviceConvention('logistic')]);

  it('routes <service>.sync.<name> transient with results, routing key = task name', () => {
    expect(route('billing.sync.get_invoice', [], {}, {})).toEqual({
      queue: 'billing.sync',
      routingKey: 'billing.sync.get_invoice',
      deliveryMode: 1,
      lane: 'sync',
    });
  });

  it('routes <service>.async.<name> persistent, fire-and-forget, on the async lane', () => {
    expect(route('logistic.async.schedule', [], {}, {})).toEqual({
      queue: 'logistic.async',
      routingKey: 'logistic.async.schedule',
      deliveryMode: 2,
      ignoreResult: true,
      replyTo: null,
      lane: 'async',
    });
  });

  it('leaves other names to the next router', () => {
    for (const name of ['billing.sync', 'billing.sync.', 'billing.other.x', 'pusher.sync.x', 'billing', '.sync.x', 'billingsync.x']) {
      expect(route(name, [], {}, {})).toBeUndefined();
    }
  });
});
