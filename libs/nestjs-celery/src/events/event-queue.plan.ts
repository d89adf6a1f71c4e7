import type { QueueDeclaration, Topology } from '../broker/topology.js';
import { eventExchange } from './event-publisher.js';
import type { EventSubscription } from './event-subscription.js';

/** One event queue a worker consumes: its name, what it binds, and which handlers it feeds. */
export interface EventQueuePlan<H> {
  queue: string;
  exchange: string;
  broadcast: boolean;
  /** Handlers fed by this queue, in registration order. */
  entries: Array<{ subscription: EventSubscription; handler: H }>;
  /** The source exchange, the queue and one binding per distinct pattern. */
  topology: Topology;
}

/** Name of a service's shared event queue for one source exchange: `billing.order-events`. */
export function eventQueueName(service: string, exchange: string): string {
  return `${service}.${exchange}-events`;
}

/**
 * Groups a service's `@OnEvent` handlers into queues: one durable queue per source exchange
 * (`<service>.<exchange>-events`, shared by the service's replicas), and for broadcast handlers
 * one exclusive auto-deleted queue per exchange and instance (`<service>.<exchange>-events.<instance>`).
 * Each queue is bound with every pattern of its handlers.
 */
export function planEventQueues<H>(
  service: string,
  instance: string,
  entries: ReadonlyArray<{ subscription: EventSubscription; handler: H }>,
): Array<EventQueuePlan<H>> {
  const plans = new Map<string, EventQueuePlan<H>>();
  for (const entry of entries) {
    const { exchange, broadcast } = entry.subscription;
    const queue = broadcast ? `${eventQueueName(service, exchange)}.${instance}` : eventQueueName(service, exchange);
    let plan = plans.get(queue);
    if (!plan) {
      const declaration: QueueDeclaration = broadcast
        ? { name: queue, durable: false, autoDelete: true, exclusive: true }
        : { name: queue, durable: true, autoDelete: false, exclusive: false };
      plan = { queue, exchange, broadcast, entries: [], topology: { exchanges: [eventExchange(exchange)], queues: [declaration], bindings: [] } };
      plans.set(queue, plan);
    }
    plan.entries.push(entry);
    for (const pattern of entry.subscription.patterns) {
      if (!plan.topology.bindings!.some((b) => b.routingKey === pattern)) {
        plan.topology.bindings!.push({ queue, exchange, routingKey: pattern });
      }
    }
  }
  return [...plans.values()];
}
