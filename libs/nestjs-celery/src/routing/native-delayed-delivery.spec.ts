import { describe, expect, it } from '@jest/globals';
import { celeryQueueTopology } from '../broker/topology.js';
import { serviceConvention } from './service-convention.js';
import { taskQueueTopology } from './task-queue.js';
import { delayedDeliveryBindings, delayedRoutingKey, nativeDelayedDeliveryTopology } from './native-delayed-delivery.js';

describe("Celery 5.5's native delayed delivery (kombu/transport/native_delayed_delivery.py)", () => {
  it('routing key: 28 binary digits of the whole seconds, then the key (calculate_routing_key)', () => {
    // kombu: '.'.join(list(f'{5:028b}')) + '.billing.sync.x'
    expect(delayedRoutingKey(5, 'billing.sync.x')).toBe(`${'0.'.repeat(25)}1.0.1.billing.sync.x`);
    expect(delayedRoutingKey(1.9, 'k').split('.').length).toBe(29);
    expect(() => delayedRoutingKey(0.5, 'k')).toThrow(RangeError);
    expect(() => delayedRoutingKey(2 ** 28, 'k')).toThrow(RangeError);
  });

  it('declares 28 levels as kombu does (quorum)', () => {
    const topology = nativeDelayedDeliveryTopology('quorum');
    expect(topology.exchanges).toHaveLength(29);
    expect(topology.queues).toHaveLength(28);
    expect(topology.queues![0]).toEqual({
      name: 'celery_delayed_27',
      durable: true,
      autoDelete: false,
      exclusive: false,
      arguments: {
        'x-queue-type': 'quorum',
        'x-overflow': 'reject-publish',
        'x-message-ttl': 2 ** 27 * 1000,
        'x-dead-letter-exchange': 'celery_delayed_26',
        'x-dead-letter-strategy': 'at-least-once',
      },
    });
    expect(topology.queues![27]!.arguments).toMatchObject({ 'x-message-ttl': 1000, 'x-dead-letter-exchange': 'celery_delayed_delivery' });
    expect(topology.bindings![0]).toEqual({ queue: 'celery_delayed_27', exchange: 'celery_delayed_27', routingKey: '1.#' });
    expect(topology.bindings![27]!.routingKey).toBe(`${'*.'.repeat(27)}1.#`);
    expect(topology.exchangeBindings![0]).toEqual({ destination: 'celery_delayed_26', source: 'celery_delayed_27', routingKey: '0.#' });
    expect(topology.exchangeBindings![27]).toEqual({
      destination: 'celery_delayed_delivery',
      source: 'celery_delayed_0',
      routingKey: `${'*.'.repeat(27)}0.#`,
    });
    expect(nativeDelayedDeliveryTopology('classic').queues![0]!.arguments).not.toHaveProperty('x-dead-letter-strategy');
  });

  it('binds topic queues with `#.<key>` and skips direct exchanges (bind_queue_to_native_delayed_delivery_exchange)', () => {
    const convention = taskQueueTopology(serviceConvention('billing').sync);
    expect(delayedDeliveryBindings(convention)).toEqual({
      topology: {
        bindings: [{ queue: 'billing.sync', exchange: 'billing', routingKey: '#.billing.sync.#' }],
        exchangeBindings: [{ destination: 'billing', source: 'celery_delayed_delivery', routingKey: '#.billing.sync.#' }],
      },
      skipped: [],
    });
    expect(delayedDeliveryBindings(celeryQueueTopology('celery')).skipped).toEqual(['celery']);
  });
});
