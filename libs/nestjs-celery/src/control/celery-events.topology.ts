import type { Topology } from '../broker/topology.js';

/** Celery's event exchange (`event_exchange`): a durable topic exchange on AMQP. */
export const CELERY_EVENT_EXCHANGE = 'celeryev';

/** `celeryev` declared exactly as Celery does (topic, durable), so Python and Nest never disagree on it. */
export const CELERY_EVENTS_TOPOLOGY: Topology = {
  exchanges: [{ name: CELERY_EVENT_EXCHANGE, type: 'topic', durable: true }],
};
