import { describe, expect, it } from '@jest/globals';
import type { TaskRequest } from '../../protocol/task-message.js';
import { CeleryRetry } from '../../runtime/celery-retry.js';
import type { CeleryEventPublisher } from './celery-event.publisher.js';
import { exceptionRepr, TaskEventSender } from './task-event.sender.js';

function recording() {
  const sent: Array<Record<string, unknown>> = [];
  const publisher = { send: (type: string, fields: Record<string, unknown>) => sent.push({ type, ...fields }) } as unknown as CeleryEventPublisher;
  return { sender: new TaskEventSender(publisher), sent };
}

const request = {
  id: 'u1',
  task: 'nest.add',
  args: [2, 3],
  kwargs: { scale: 1.5 },
  headers: {},
  rootId: 'r0',
  parentId: null,
  retries: 1,
  eta: new Date('2026-11-22T02:07:51.260Z'),
  expires: null,
} as unknown as TaskRequest;

describe('TaskEventSender (the task event group of a Celery worker)', () => {
  it('task-received carries the reprs, ids, retries and times as a Python worker sends them', () => {
    const { sender, sent } = recording();
    sender.received(request);
    expect(sent).toEqual([
      {
        type: 'task-received',
        uuid: 'u1',
        name: 'nest.add',
        args: '(2, 3)',
        kwargs: "{'scale': 1.5}",
        root_id: 'r0',
        parent_id: null,
        retries: 1,
        eta: '2026-11-22T02:07:51.260000+00:00',
        expires: null,
      },
    ]);
  });

  it('task-started, then task-succeeded with the result repr and the runtime in seconds', async () => {
    const { sender, sent } = recording();
    sender.started(request);
    await new Promise((resolve) => setTimeout(resolve, 20));
    sender.succeeded(request, { total: 5, ok: true });
    expect(sent[0]).toEqual({ type: 'task-started', uuid: 'u1' });
    expect(sent[1]).toMatchObject({ type: 'task-succeeded', uuid: 'u1', result: "{'total': 5, 'ok': True}" });
    expect(sent[1]!.runtime).toBeGreaterThan(0.01);
    expect(sent[1]!.runtime).toBeLessThan(5);
  });

  it('task-failed and task-retried carry the exception repr and a traceback', () => {
    const { sender, sent } = recording();
    const error = Object.assign(new Error('bad value'), { name: 'ValueError', excArgs: ['bad value', 42] });
    sender.failed(request, error);
    const retry = new CeleryRetry({ exc: new TypeError('flaky') });
    sender.retried(request, retry.options.exc, retry.stack ?? null);
    sender.retried(request, undefined, null);
    sender.notRegistered({ ...request, task: "it's.missing" });
    expect(sent[0]).toEqual({ type: 'task-failed', uuid: 'u1', exception: "ValueError('bad value', 42)", traceback: expect.stringContaining('bad value') });
    expect(sent[1]).toEqual({ type: 'task-retried', uuid: 'u1', exception: "TypeError('flaky')", traceback: expect.stringContaining('Retry') });
    expect(sent[2]).toMatchObject({ exception: 'None' });
    expect(sent[3]).toEqual({ type: 'task-failed', uuid: 'u1', exception: 'NotRegistered("it\'s.missing")' });
  });

  it('task-revoked says how (revoked, expired, terminated) and task-rejected whether it was requeued', () => {
    const { sender, sent } = recording();
    sender.revoked(request, 'revoked');
    sender.revoked(request, 'expired');
    sender.revoked(request, 'terminated');
    sender.rejected(request, true);
    expect(sent).toEqual([
      { type: 'task-revoked', uuid: 'u1', terminated: false, signum: null, expired: false },
      { type: 'task-revoked', uuid: 'u1', terminated: false, signum: null, expired: true },
      { type: 'task-revoked', uuid: 'u1', terminated: true, signum: 15, expired: false },
      { type: 'task-rejected', uuid: 'u1', requeue: true },
    ]);
  });

  it("exceptionRepr writes Python's repr(exc)", () => {
    expect(exceptionRepr(new Error('boom'))).toBe("Error('boom')");
    expect(exceptionRepr(Object.assign(new Error(''), { name: 'KeyError' }))).toBe('KeyError()');
    expect(exceptionRepr('plain')).toBe("Exception('plain')");
  });
});
