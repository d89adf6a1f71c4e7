import type { Topology } from '../broker/topology.js';

/** Celery's event exchange (`event_exchange`): a durable topic exchange on AMQP. */
export const CELERY_EVENT_EXCHANGE = 'celeryev';

/** `celeryev` declared exactly as Celery does (topic, durable), so Python and Nest never disagree on it. */
export const CELERY_EVENTS_TOPOLOGY: Topology = {
  exchanges: [{ name: CELERY_EVENT_EXCHANGE, type: 'topic', durable: true }],
};

/**
 * `celeryev` as Celery declares it on this transport: a fanout exchange on Redis (Celery's
 * `get_exchange` turns it into one there: kombu's Redis fanout is PUBLISH/SUBSCRIBE with
 * patterns), the durable topic exchange elsewhere.
 */
export function celeryEventsTopology(driverType: string | undefined): Topology {
  return driverType === 'redis' ? { exchanges: [{ name: CELERY_EVENT_EXCHANGE, type: 'fanout', durable: true }] } : CELERY_EVENTS_TOPOLOGY;
}
