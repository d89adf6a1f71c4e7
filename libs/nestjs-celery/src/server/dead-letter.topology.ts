import type { Topology } from '../broker/topology.js';

/**
 * The worker's dead-letter exchange and queue: a durable fanout exchange, except on Redis, where
 * kombu's fanout is PUBLISH/SUBSCRIBE and keeps nothing; there it is a topic exchange whose `#`
 * binding takes every routing key into the queue's list (as Celery itself picks its event
 * exchange's type by transport).
 */
export function deadLetterTopology(deadLetter: { exchange: string; queue: string }, driverType: string | undefined): Topology {
  const redis = driverType === 'redis';
  return {
    exchanges: [{ name: deadLetter.exchange, type: redis ? 'topic' : 'fanout', durable: true }],
    queues: [{ name: deadLetter.queue, durable: true }],
    bindings: [{ queue: deadLetter.queue, exchange: deadLetter.exchange, routingKey: redis ? '#' : '' }],
  };
}
