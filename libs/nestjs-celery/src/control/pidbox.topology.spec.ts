import { describe, expect, it } from '@jest/globals';
import { mailboxQueueName, mailboxTopology, replyQueueName, replyTopology } from './pidbox.topology.js';

describe('pidbox topology (kombu Mailbox, Celery 5.2 defaults)', () => {
  it('declares the worker mailbox like kombu: fanout, non-durable, auto-deleted queue with ttl/expires', () => {
    expect(mailboxQueueName('w1@spec')).toBe('w1@spec.celery.pidbox');
    expect(mailboxTopology('w1@spec')).toEqual({
      exchanges: [
        { name: 'celery.pidbox', type: 'fanout', durable: false, autoDelete: false },
        { name: 'reply.celery.pidbox', type: 'direct', durable: false, autoDelete: false },
      ],
      queues: [
        { name: 'w1@spec.celery.pidbox', durable: false, autoDelete: true, exclusive: false, arguments: { 'x-message-ttl': 300_000, 'x-expires': 10_000 } },
      ],
      bindings: [{ queue: 'w1@spec.celery.pidbox', exchange: 'celery.pidbox', routingKey: '' }],
    });
  });

  it('declares the client reply queue bound to reply.celery.pidbox with the oid as routing key', () => {
    expect(replyQueueName('abc')).toBe('abc.reply.celery.pidbox');
    const topology = replyTopology('abc');
    expect(topology.queues).toEqual([
      { name: 'abc.reply.celery.pidbox', durable: false, autoDelete: true, exclusive: false, arguments: { 'x-message-ttl': 300_000, 'x-expires': 10_000 } },
    ]);
    expect(topology.bindings).toEqual([{ queue: 'abc.reply.celery.pidbox', exchange: 'reply.celery.pidbox', routingKey: 'abc' }]);
  });
});
