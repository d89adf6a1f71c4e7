import { describe, expect, it } from '@jest/globals';
import { celeryQueueTopology } from '../broker/topology.js';
import { queueInfoFromTopology, toKombuQueueInfo } from './queue-info.js';

/** `inspect active_queues` of a Python 5.2.6 worker on queue `celery` (wire spec §6.3). */
const CAPTURED_CELERY_QUEUE = {
  name: 'celery',
  exchange: { name: 'celery', type: 'direct', arguments: null, durable: true, passive: false, auto_delete: false, delivery_mode: null, no_declare: false },
  routing_key: 'celery',
  queue_arguments: null,
  binding_arguments: null,
  consumer_arguments: null,
  durable: true,
  exclusive: false,
  auto_delete: false,
  no_ack: false,
  alias: null,
  bindings: [],
  no_declare: null,
  expires: null,
  message_ttl: null,
  max_length: null,
  max_length_bytes: null,
  max_priority: null,
};

describe('kombu Queue dicts for active_queues', () => {
  it('matches what Python sends for a Celery-declared queue', () => {
    expect(queueInfoFromTopology('celery', celeryQueueTopology('celery'))).toEqual(CAPTURED_CELERY_QUEUE);
    expect(JSON.stringify(queueInfoFromTopology('celery', celeryQueueTopology('celery')))).toBe(JSON.stringify(CAPTURED_CELERY_QUEUE));
  });

  it('maps queue arguments to kombu attributes (seconds for ttl/expires) and keeps the rest', () => {
    const info = toKombuQueueInfo(
      { name: 'q', arguments: { 'x-max-priority': 10, 'x-expires': 10_000, 'x-message-ttl': 1500, 'x-dead-letter-exchange': 'dlx' } },
      { name: 'ex', type: 'topic', durable: true },
      'billing.sync.#',
    );
    expect(info).toMatchObject({
      name: 'q',
      exchange: { name: 'ex', type: 'topic' },
      routing_key: 'billing.sync.#',
      queue_arguments: { 'x-dead-letter-exchange': 'dlx' },
      max_priority: 10,
      expires: 10,
      message_ttl: 1.5,
    });
  });

  it('falls back to the default exchange for an unbound queue', () => {
    expect(queueInfoFromTopology('lonely', { queues: [{ name: 'lonely', durable: false }] })).toMatchObject({
      name: 'lonely',
      exchange: { name: '', type: 'direct' },
      routing_key: 'lonely',
      durable: false,
    });
  });
});
