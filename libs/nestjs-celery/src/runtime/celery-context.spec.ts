import { describe, expect, it } from '@jest/globals';
import type { ConsumeMessage } from 'amqplib';
import { createSignature } from '../protocol/signature.js';
import { decodeDelivery } from '../protocol/task-message.decoder.js';
import { encodeTaskMessage } from '../protocol/task-message.encoder.js';
import type { TaskMessageSpec } from '../protocol/task-message.js';
import { CeleryContext } from './celery-context.js';
import { CeleryRetry } from './celery-retry.js';

function makeContext(spec: Partial<TaskMessageSpec> = {}, fields: Record<string, unknown> = {}) {
  const encoded = encodeTaskMessage({ id: 'tid-1', task: 'proj.add', origin: 'gen1@host', args: [1, 2], ...spec });
  const { properties } = encoded;
  const request = decodeDelivery(encoded.body, properties);
  const message = {
    content: encoded.body,
    fields: { deliveryTag: 7, consumerTag: 'ctag', exchange: '', routingKey: 'celery', redelivered: false, ...fields },
    properties,
  } as unknown as ConsumeMessage;
  return { ctx: new CeleryContext(request, message, 'w1@host'), request, message };
}

describe('CeleryContext', () => {
  it('exposes the request, the raw message and the hostname', () => {
    const { ctx, request, message } = makeContext();
    expect(ctx.request).toBe(request);
    expect(ctx.message).toBe(message);
    expect(ctx.hostname).toBe('w1@host');
    expect(ctx.getArgs()).toEqual([request, message, 'w1@host']);
    expect(ctx.getArgByIndex(2)).toBe('w1@host');
  });

  it('reads ids, retries, workflow links and headers from the request', () => {
    const { ctx } = makeContext({
      retries: 2,
      rootId: 'root-1',
      parentId: 'parent-1',
      group: 'group-1',
      headers: { 'x-custom': 'yes' },
    });
    expect(ctx.id).toBe('tid-1');
    expect(ctx.task).toBe('proj.add');
    expect(ctx.retries).toBe(2);
    expect(ctx.rootId).toBe('root-1');
    expect(ctx.parentId).toBe('parent-1');
    expect(ctx.group).toBe('group-1');
    expect(ctx.headers).toMatchObject({ id: 'tid-1', task: 'proj.add', 'x-custom': 'yes' });
  });

  it('defaults to a root of its own id, no parent and no group', () => {
    const { ctx } = makeContext();
    expect(ctx.retries).toBe(0);
    expect(ctx.rootId).toBe('tid-1');
    expect(ctx.parentId).toBeNull();
    expect(ctx.group).toBeNull();
  });

  it("builds Celery's delivery_info from the AMQP fields and the priority property", () => {
    expect(makeContext({ priority: 5 }, { exchange: 'tasks', routingKey: 'rk', redelivered: true }).ctx.deliveryInfo).toEqual({
      exchange: 'tasks',
      routing_key: 'rk',
      priority: 5,
      redelivered: true,
    });
    expect(makeContext().ctx.deliveryInfo).toEqual({ exchange: '', routing_key: 'celery', priority: null, redelivered: false });
  });

  it('returns a CeleryRetry carrying the options from retry()', () => {
    const { ctx } = makeContext();
    const exc = new Error('flaky');
    const retry = ctx.retry({ countdown: 5, exc, maxRetries: null });
    expect(retry).toBeInstanceOf(CeleryRetry);
    expect(retry.options).toEqual({ countdown: 5, exc, maxRetries: null });
    expect(ctx.retry().options).toEqual({});
  });

  it('aborts its signal on cancel with the given reason', () => {
    const { ctx } = makeContext();
    expect(ctx.signal.aborted).toBe(false);
    const reason = new Error('shutdown');
    ctx.cancel(reason);
    expect(ctx.signal.aborted).toBe(true);
    expect(ctx.signal.reason).toBe(reason);
  });

  it('keeps the first captured error only', () => {
    const { ctx } = makeContext();
    expect(ctx.capturedError).toBeUndefined();
    const first = new Error('first');
    ctx.captureError(first);
    ctx.captureError(new Error('second'));
    expect(ctx.capturedError).toEqual({ error: first });
    const { ctx: other } = makeContext();
    other.captureError(undefined);
    expect(other.capturedError).toEqual({ error: undefined });
  });

  it('remembers the last retry it made', () => {
    const { ctx } = makeContext();
    expect(ctx.requestedRetry).toBeUndefined();
    ctx.retry({ countdown: 1 });
    const last = ctx.retry({ countdown: 2 });
    expect(ctx.requestedRetry).toBe(last);
  });

  it('sees the embedded canvas through the request', () => {
    const link = createSignature('proj.log');
    const { ctx } = makeContext({ embed: { callbacks: [link] } });
    expect(ctx.request.embed.callbacks).toEqual([link]);
  });
});
