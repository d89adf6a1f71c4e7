import { TaskRateLimits } from '../../runtime/task-rate-limits.js';
import { describe, expect, it } from '@jest/globals';
import type { ConsumeMessage } from 'amqplib';
import type { TaskRequest } from '../../protocol/task-message.js';
import { CeleryContext } from '../../runtime/celery-context.js';
import { ControlCommandError } from '../control.errors.js';
import { CONTROL_COMMANDS, runControlCommand, type ControlledWorker } from './control-panel.js';
import { LamportClock } from '../lamport-clock.js';
import { RevokedRegistry } from './revoked-registry.js';
import { WorkerActivity } from './worker-activity.js';

function context(id: string, task = 'nest.slow'): CeleryContext {
  const request = {
    id,
    task,
    args: [1],
    kwargs: { a: 2 },
    headers: { argsrepr: '(1,)', kwargsrepr: "{'a': 2}" },
    priority: 0,
    eta: null,
  } as unknown as TaskRequest;
  const message = { fields: { exchange: '', routingKey: 'q', redelivered: false }, properties: {} } as unknown as ConsumeMessage;
  return new CeleryContext(request, message, 'w@h');
}

function worker(overrides: Partial<ControlledWorker> = {}): ControlledWorker & { lines: string[] } {
  const lines: string[] = [];
  return {
    hostname: 'w@h',
    clock: new LamportClock(),
    revoked: new RevokedRegistry(),
    activity: new WorkerActivity(),
    rateLimits: new TaskRateLimits((task) => (['a.task', 'b.task'].includes(task) ? { rate: task === 'a.task' ? '10/m' : undefined } : undefined)),
    registeredTasks: () => ['b.task', 'celery.chord_unlock', 'a.task'],
    activeQueues: () => [],
    acksEarly: false,
    concurrency: 2,
    prefetchCount: 8,
    brokerUrl: 'amqp://guest:guest@localhost:5672//',
    heartbeatSeconds: 30,
    startedAt: Date.now(),
    log: (line: string) => lines.push(line),
    lines,
    conf: () => ({ worker_concurrency: 2 }),
    setTaskEvents: () => true,
    sendHeartbeat: () => undefined,
    ...overrides,
  };
}

describe('control commands (celery/worker/control.py shapes)', () => {
  it('ping answers pong; unknown commands raise KeyError like kombu', () => {
    const w = worker();
    expect(runControlCommand(w, 'ping', {})).toEqual({ ok: 'pong' });
    expect(() => runControlCommand(w, 'nosuch', {})).toThrow(ControlCommandError);
    try {
      runControlCommand(w, 'nosuch', {});
    } catch (error) {
      expect((error as ControlCommandError).pythonRepr).toBe("KeyError('nosuch')");
    }
  });

  it('rate_limit sets a registered task\'s rate like celery/worker/control.py, and registered shows it', () => {
    const w = worker();
    expect(runControlCommand(w, 'rate_limit', { task_name: 'b.task', rate_limit: '5/s' })).toEqual({ ok: 'new rate limit set successfully' });
    expect(w.lines).toContain('New rate limit for tasks of type b.task: 5/s.');
    expect(runControlCommand(w, 'registered', {})).toEqual(['a.task [rate_limit=10/m]', 'b.task [rate_limit=5/s]']);
    expect(runControlCommand(w, 'rate_limit', { task_name: 'a.task', rate_limit: '' })).toEqual({ ok: 'rate limit disabled successfully' });
    expect(runControlCommand(w, 'registered', {})).toEqual(['a.task', 'b.task [rate_limit=5/s]']);
    expect(runControlCommand(w, 'rate_limit', { task_name: 'nope', rate_limit: '1/s' })).toEqual({ error: 'unknown task' });
    expect(runControlCommand(w, 'rate_limit', { task_name: 'a.task', rate_limit: 'x/s' })).toEqual({
      error: 'Invalid rate limit string: ValueError("could not convert string to float: \'x\'")',
    });
    expect(() => runControlCommand(w, 'rate_limit', { task_name: 'a.task', rate_limit: '5/d' })).toThrow(ControlCommandError);
    expect(() => runControlCommand(w, 'rate_limit', { task_name: 'a.task' })).toThrow("missing 1 required positional argument: 'rate_limit'");
    w.rateLimits.close();
  });

  it('registered is sorted and leaves out celery.* builtins unless asked', () => {
    const w = worker();
    expect(runControlCommand(w, 'registered', { taskinfoitems: [] })).toEqual(['a.task [rate_limit=10/m]', 'b.task']);
    expect(runControlCommand(w, 'registered', { taskinfoitems: ['exchange'] })).toEqual(['a.task', 'b.task']);
    expect(runControlCommand(w, 'registered', { builtins: true })).toEqual(['a.task [rate_limit=10/m]', 'b.task', 'celery.chord_unlock']);
  });

  it('revoke flags ids (str or list) and replies like Python; revoked lists them', () => {
    const w = worker();
    expect(runControlCommand(w, 'revoke', { task_id: 'x1', terminate: false, signal: 'SIGTERM' })).toEqual({ ok: 'tasks x1 flagged as revoked' });
    expect(runControlCommand(w, 'revoke', { task_id: ['x2', 'x3'] })).toEqual({ ok: 'tasks x2, x3 flagged as revoked' });
    expect(w.revoked.has('x2')).toBe(true);
    expect(runControlCommand(w, 'revoked', {})).toEqual(['x1', 'x2', 'x3']);
    expect(w.lines).toEqual(['Tasks flagged as revoked: x1', 'Tasks flagged as revoked: x2, x3']);
  });

  it('revoke without task_id raises the TypeError Python raises', () => {
    expect(() => runControlCommand(worker(), 'revoke', {})).toThrow("revoke() missing 1 required positional argument: 'task_id'");
  });

  it('revoke with terminate aborts running requests and marks them terminated', () => {
    const w = worker();
    const ctx = context('run1');
    w.activity.start(ctx);
    expect(runControlCommand(w, 'revoke', { task_id: ['run1', 'other'], terminate: true })).toEqual({ ok: 'terminate: run1' });
    expect(ctx.signal.aborted).toBe(true);
    expect(ctx.signal.reason).toMatchObject({ name: 'TaskRevokedError', message: 'terminated' });
    expect(w.activity.finish(ctx)).toBe(true);
    expect(runControlCommand(w, 'terminate', { task_id: 'none', signal: 'SIGKILL' })).toEqual({ ok: 'terminate: tasks unknown' });
  });

  it('active --safe falls back to the args repr when compact headers carry no argsrepr', () => {
    const w = worker();
    const ctx = context('c1');
    ctx.request.headers = {};
    w.activity.start(ctx);
    expect(runControlCommand(w, 'active', { safe: true })).toEqual([expect.objectContaining({ args: '(1,)', kwargs: "{'a': 2}" })]);
  });

  it('active lists running requests like Request.info(); safe gives reprs', () => {
    const w = worker({ acksEarly: true });
    const ctx = context('a1');
    w.activity.start(ctx);
    const [info] = runControlCommand(w, 'active', {}) as Array<Record<string, unknown>>;
    expect(info).toEqual({
      id: 'a1',
      name: 'nest.slow',
      args: [1],
      kwargs: { a: 2 },
      type: 'nest.slow',
      hostname: 'w@h',
      time_start: expect.any(Number),
      acknowledged: true,
      delivery_info: { exchange: '', routing_key: 'q', priority: 0, redelivered: false },
      worker_pid: process.pid,
    });
    const [safe] = runControlCommand(w, 'active', { safe: true }) as Array<Record<string, unknown>>;
    expect(safe).toMatchObject({ args: '(1,)', kwargs: "{'a': 2}" });
    w.activity.finish(ctx);
    expect(runControlCommand(w, 'dump_active', {})).toEqual([]);
  });

  it('reserved, scheduled and query_task report waiting and running requests with their aliases', () => {
    const w = worker();
    const waiting = context('r1').request;
    const held = { ...context('s1').request, eta: new Date(Date.now() + 60_000) } as TaskRequest;
    const delivery = { message: context('x').message, ack: () => undefined, reject: () => undefined };
    w.activity.reserve(waiting, delivery);
    w.activity.reserve(held, delivery);
    const running = context('a1');
    w.activity.start(running);
    expect(runControlCommand(w, 'reserved', {})).toEqual([expect.objectContaining({ id: 'r1', time_start: null, worker_pid: null, acknowledged: false })]);
    expect(runControlCommand(w, 'dump_reserved', {})).toHaveLength(1);
    expect(runControlCommand(w, 'scheduled', {})).toEqual([{ eta: expect.stringMatching(/\+00:00$/), priority: 6, request: expect.objectContaining({ id: 's1' }) }]);
    expect(runControlCommand(w, 'dump_schedule', {})).toHaveLength(1);
    const found = runControlCommand(w, 'query_task', { ids: ['r1', 's1', 'a1', 'nope'] }) as Record<string, [string, unknown]>;
    expect(Object.fromEntries(Object.entries(found).map(([id, [state]]) => [id, state]))).toEqual({ r1: 'reserved', s1: 'scheduled', a1: 'active' });
    expect(runControlCommand(w, 'query_task', { ids: 'r1' })).toEqual({ r1: ['reserved', expect.objectContaining({ id: 'r1' })] });
    expect(() => runControlCommand(w, 'query_task', {})).toThrow("query_task() missing 1 required positional argument: 'ids'");
  });

  it('conf returns the worker settings; enable_events / disable_events toggle task events like Celery', () => {
    let on = false;
    const w = worker({
      setTaskEvents: (enabled: boolean) => {
        const changed = on !== enabled;
        on = enabled;
        return changed;
      },
    });
    expect(runControlCommand(w, 'conf', { with_defaults: false })).toEqual({ worker_concurrency: 2 });
    expect(runControlCommand(w, 'dump_conf', {})).toEqual({ worker_concurrency: 2 });
    expect(runControlCommand(w, 'enable_events', {})).toEqual({ ok: 'task events enabled' });
    expect(runControlCommand(w, 'enable_events', {})).toEqual({ ok: 'task events already enabled' });
    expect(on).toBe(true);
    expect(runControlCommand(w, 'disable_events', {})).toEqual({ ok: 'task events disabled' });
    expect(runControlCommand(w, 'disable_events', {})).toEqual({ ok: 'task events already disabled' });
    expect(on).toBe(false);
  });

  it('stats counts started tasks per name', () => {
    const w = worker();
    w.activity.start(context('1', 'x'));
    w.activity.start(context('2', 'x'));
    w.activity.start(context('3', 'y'));
    w.clock.adjust(41);
    expect(runControlCommand(w, 'stats', {})).toMatchObject({ total: { x: 2, y: 1 }, clock: '42', prefetch_count: 8 });
  });

  it('hello syncs revoked ids with another node and ignores itself', () => {
    const w = worker();
    w.revoked.add(['mine']);
    expect(runControlCommand(w, 'hello', { from_node: 'w@h', revoked: {} })).toBeNull();
    const reply = runControlCommand(w, 'hello', { from_node: 'other@h', revoked: { theirs: [w.revoked.toHelloData().mine![0], 'theirs'] } }) as {
      revoked: Record<string, unknown>;
      clock: number;
    };
    expect(Object.keys(reply.revoked).sort()).toEqual(['mine', 'theirs']);
    expect(reply.clock).toBe(1);
    expect(() => runControlCommand(w, 'hello', {})).toThrow("hello() missing 1 required positional argument: 'from_node'");
  });

  it('clock, heartbeat and the aliases exist', () => {
    const w = worker();
    w.clock.forward();
    expect(runControlCommand(w, 'clock', {})).toEqual({ clock: 1 });
    let beats = 0;
    expect(runControlCommand({ ...w, sendHeartbeat: () => void beats++ }, 'heartbeat', {})).toBeUndefined();
    expect(beats).toBe(1);
    expect([...CONTROL_COMMANDS.keys()]).toEqual(
      expect.arrayContaining(['ping', 'registered', 'dump_tasks', 'active_queues', 'stats', 'active', 'revoke', 'terminate', 'revoked', 'hello']),
    );
  });
});
