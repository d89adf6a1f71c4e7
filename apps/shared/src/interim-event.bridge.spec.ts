import type { CeleryClient } from 'nestjs-celery';
import { InterimEventBridge } from './interim-event.bridge.js';

describe('InterimEventBridge', () => {
  it('declares durable topic exchanges once each, the service queue and one binding per pattern', () => {
    const topology = InterimEventBridge.topology({
      service: 'order',
      publishes: 'order',
      subscribes: [
        { exchange: 'billing', routingKeys: ['billing.*.invoiced'] },
        { exchange: 'order', routingKeys: ['order.#'] },
      ],
    });
    expect(topology.exchanges?.map((e) => [e.name, e.type, e.durable])).toEqual([
      ['order', 'topic', true],
      ['billing', 'topic', true],
    ]);
    expect(topology.queues).toEqual([{ name: 'order.interim-events', durable: true, autoDelete: false, exclusive: false }]);
    expect(topology.bindings).toEqual([
      { queue: 'order.interim-events', exchange: 'billing', routingKey: 'billing.*.invoiced' },
      { queue: 'order.interim-events', exchange: 'order', routingKey: 'order.#' },
    ]);
  });

  it('publishes #4’s wire format: task named after the routing key, args [payload], on the exchange, no reply', async () => {
    const sent: unknown[][] = [];
    const client = { sendTask: async (...args: unknown[]) => void sent.push(args) } as unknown as CeleryClient;
    await InterimEventBridge.publish(client, 'order', 'order.v1.submit', { orderId: 'o1' });
    expect(sent).toEqual([
      ['order.v1.submit', [{ orderId: 'o1' }], {}, { exchange: 'order', routingKey: 'order.v1.submit', replyTo: null, ignoreResult: true }],
    ]);
  });
});
