/**
 * Chords (Redis result backend) between Nest and Python Celery 5.2.6 / 5.5.2 on RabbitMQ:
 * the suite is test/support/chords-suite.ts; test/chords-redis-broker.e2e-spec.ts runs it on Redis.
 */
import { BROKER_URL } from './support/broker-url.js';
import { describeChords } from './support/chords-suite.js';
import { deleteQueues } from './support/rabbitmq-admin.js';

describeChords({ name: 'RabbitMQ', url: BROKER_URL, purge: (queues) => deleteQueues(BROKER_URL, ...queues) });
