import { describe, expect, it } from '@jest/globals';
import { celeryQueueTopology, rpcReplyQueue } from './topology.js';

describe('celeryQueueTopology', () => {
  it('declares what Celery declares for queue=X: durable direct exchange X, durable queue X, binding X→X', () => {
    expect(celeryQueueTopology('tasks')).toEqual({
      exchanges: [{ name: 'tasks', type: 'direct', durable: true, autoDelete: false }],
      queues: [{ name: 'tasks', durable: true, autoDelete: false, exclusive: false, arguments: undefined }],
      bindings: [{ queue: 'tasks', exchange: 'tasks', routingKey: 'tasks' }],
    });
  });

  it('passes queue arguments through (and only to the queue)', () => {
    const topology = celeryQueueTopology('prio', { arguments: { 'x-max-priority': 10 } });
    expect(topology.queues![0]!.arguments).toEqual({ 'x-max-priority': 10 });
    expect(topology.exchanges![0]!.arguments).toBeUndefined();
    expect(topology.bindings![0]!.arguments).toBeUndefined();
  });

  it('returns a fresh value each call', () => {
    const a = celeryQueueTopology('q');
    a.queues![0]!.durable = false;
    expect(celeryQueueTopology('q').queues![0]!.durable).toBe(true);
  });
});

describe('rpcReplyQueue', () => {
  it("is Celery's reply queue: transient, auto-deleted, not exclusive, x-expires one day", () => {
    expect(rpcReplyQueue('c0f8a887')).toEqual({
      name: 'c0f8a887',
      durable: false,
      autoDelete: true,
      exclusive: false,
      arguments: { 'x-expires': 86_400_000 },
    });
  });

  it('uses the given expiry in ms', () => {
    expect(rpcReplyQueue('r', 60_000).arguments).toEqual({ 'x-expires': 60_000 });
  });
});
