import { describe, expect, it } from '@jest/globals';
import { planEventQueues } from './event-queue.plan.js';
import type { EventSubscription } from './event-subscription.js';

function sub(handler: string, exchange: string, patterns: string[], broadcast = false): EventSubscription {
  return { handler, exchange, patterns, events: [], versions: null, broadcast };
}

describe('planEventQueues', () => {
  it('gives a service one durable queue per source exchange, bound with every pattern once', () => {
    const plans = planEventQueues('billing', 'node1', [
      { subscription: sub('A.submit', 'order', ['order.v1.submit', 'order.v2.submit']), handler: 'a' },
      { subscription: sub('A.any', 'order', ['order.*.submit', 'order.v1.submit']), handler: 'b' },
      { subscription: sub('A.dispatched', 'logistic', ['logistic.v1.dispatched']), handler: 'c' },
    ]);
    expect(plans.map((p) => [p.queue, p.entries.map((e) => e.handler)])).toEqual([
      ['billing.order-events', ['a', 'b']],
      ['billing.logistic-events', ['c']],
    ]);
    expect(plans[0]!.topology).toEqual({
      exchanges: [{ name: 'order', type: 'topic', durable: true, autoDelete: false }],
      queues: [{ name: 'billing.order-events', durable: true, autoDelete: false, exclusive: false }],
      bindings: ['order.v1.submit', 'order.v2.submit', 'order.*.submit'].map((routingKey) => ({
        queue: 'billing.order-events',
        exchange: 'order',
        routingKey,
      })),
    });
  });

  it('gives broadcast handlers an exclusive auto-deleted queue per instance', () => {
    const [plan] = planEventQueues('billing', 'node1.ab12', [{ subscription: sub('A.cache', 'order', ['order.#'], true), handler: 'a' }]);
    expect(plan).toMatchObject({
      queue: 'billing.order-events.node1.ab12',
      broadcast: true,
      topology: { queues: [{ name: 'billing.order-events.node1.ab12', durable: false, autoDelete: true, exclusive: true }] },
    });
  });
});
