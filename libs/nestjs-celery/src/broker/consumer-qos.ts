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
 * Quorum queues refuse consumers on a channel with a global limit (RabbitMQ answers 540
 * NOT_IMPLEMENTED), so a consumer of a quorum queue gets a per-consumer limit (`perConsumer`,
 * Celery 5.5 does the same when it detects quorum queues). That limit binds the consumers started
 * afterwards, so `AmqpConsumers` changes it by starting a new consumer on the same channel and
 * cancelling the old one (its unacknowledged deliveries stay on the channel and are settled there).
 */
export function applyPrefetch(channel: Channel, count: number, perConsumer = false): Promise<unknown> {
  return channel.prefetch(count, !perConsumer);
}
