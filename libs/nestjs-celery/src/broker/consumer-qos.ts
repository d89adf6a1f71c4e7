import type { Channel } from 'amqplib';

/**
 * Sets the prefetch window of a consumer's channel, the one place the worker's QoS is applied
 * (initial window and every later change, such as the raise while ETA tasks are held).
 *
 * RabbitMQ (3.3+) redefined `basic.qos`: with `global=false` the count applies to consumers
 * started *afterwards* on the channel, so a running consumer keeps its old window; with
 * `global=true` it is one limit for the whole channel, changed at once. Celery does the same
 * (`qos_global = not connection.qos_semantics_matches_spec`, true on RabbitMQ). `AmqpBroker` opens
 * one channel per consumer, so the channel-wide limit is exactly that consumer's window.
 *
 * Quorum queues refuse consumers on a channel with a global limit; supporting them means a
 * per-consumer limit here, changed by re-consuming (the queue type must then be known here).
 */
export function applyPrefetch(channel: Channel, count: number): Promise<unknown> {
  return channel.prefetch(count, true);
}
