import type { Topology } from '../broker/topology.js';

/**
 * A queue the router knows by name, like an entry of Celery's `task_queues`
 * (`Queue(name, Exchange(exchange, type=exchangeType), routing_key=bindingKey)`): a route that
 * names this queue publishes to its exchange instead of Celery's default `queue=` topology.
 */
export interface TaskQueue {
  name: string;
  /** Exchange the queue is bound to. */
  exchange: string;
  exchangeType: 'direct' | 'topic' | 'fanout';
  /** Binding key; also the routing key when a route gives none (as in kombu). */
  bindingKey: string;
  /** Which broker connection this queue lives on. */
  lane?: 'sync' | 'async';
}

/**
 * What kombu declares for such a `Queue` (and what a Python worker or client with the same
 * `task_queues` declares): a durable exchange of that type, a durable queue without arguments,
 * and the binding. Declaring it identically on both sides avoids RabbitMQ's 406.
 */
export function taskQueueTopology(queue: TaskQueue): Topology {
  return {
    exchanges: [{ name: queue.exchange, type: queue.exchangeType, durable: true, autoDelete: false }],
    queues: [{ name: queue.name, durable: true, autoDelete: false, exclusive: false, arguments: undefined }],
    bindings: [{ queue: queue.name, exchange: queue.exchange, routingKey: queue.bindingKey }],
  };
}
