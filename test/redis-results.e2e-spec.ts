/**
 * The Redis result backend, wire-identical to Celery's (celery/backends/redis.py): a Python client
 * with `backend='redis://…'` reads what the Nest interop worker stores, a Nest client reads what a
 * Python worker stores, groups are saved and restored across both. Runs against Celery 5.2.6 and
 * 5.5.2 (CELERY55_SUITES). Chords: chords.e2e-spec.ts; outages: redis-results-outage.e2e-spec.ts.
 */
import { CeleryClient, CeleryRemoteError, ResultBackendUnavailableError, type AsyncResult } from 'nestjs-celery';
import type { Redis } from 'ioredis';
import { BROKER_URL } from './support/broker-url.js';
import { celeryRelease, isCelery55 } from './support/celery-version.js';
import type { ManagedProcess } from './support/child-process.js';
import { startInteropWorker } from './support/interop-worker.js';
import { runPython, startPythonWorker } from './support/python.js';
import { deleteQueues } from './support/rabbitmq-admin.js';
import { rawRedis, RESULT_BACKEND } from './support/redis-results.js';

const NEST_QUEUE = 'interop.redis';
const PY_QUEUE = 'pyredis';

let nest: ManagedProcess;
let python: ManagedProcess;
let client: CeleryClient;
let redis: Redis;

type PyError = { type: string; module: string; message: string };

beforeAll(async () => {
  process.env.CELERY_RESULT_BACKEND = RESULT_BACKEND;
  process.env.INTEROP_QUEUE = NEST_QUEUE;
  await deleteQueues(BROKER_URL, NEST_QUEUE, PY_QUEUE);
  [nest, python] = await Promise.all([
    startInteropWorker({ CELERY_RESULT_BACKEND: RESULT_BACKEND, INTEROP_QUEUE: NEST_QUEUE, CELERY_RESULT_EXTENDED: '1', CELERY_TRACK_STARTED: '1' }),
    startPythonWorker('redis_results_app', [PY_QUEUE]),
  ]);
  client = new CeleryClient({ brokerUrl: BROKER_URL, resultBackend: RESULT_BACKEND, taskRoutes: { 'interop.*': { queue: NEST_QUEUE }, 'pyredis.*': { queue: PY_QUEUE } } });
  await client.connect();
  redis = rawRedis();
}, 120_000);

afterAll(async () => {
  await client?.close();
  redis?.disconnect();
  await Promise.all([nest?.stop(), python?.stop()]);
  await deleteQueues(BROKER_URL, NEST_QUEUE, PY_QUEUE).catch(() => undefined);
});

describe(`Redis result backend with Python Celery ${celeryRelease()}`, () => {
  it('a Python client gets a Nest worker result from Redis, stored as Celery stores it (keys, order, date_done, expiry)', async () => {
    const out = await runPython<{ id: string; value: number; state: string; raw: string; ttl: number }>('redis_results_client.py', { case: 'get', x: 2, y: 40 });
    expect(out).toMatchObject({ value: 42, state: 'SUCCESS' });
    const stored = JSON.parse(out.raw) as Record<string, unknown>;
    // result_extended adds name … queue between date_done and task_id, as Celery's _get_result_meta does
    expect(Object.keys(stored)).toEqual(['status', 'result', 'traceback', 'children', 'date_done', 'name', 'args', 'kwargs', 'worker', 'retries', 'queue', 'task_id']);
    expect(out.raw).toMatch(/^\{"status": "SUCCESS", "result": 42, "traceback": null, "children": \[\], "date_done": "\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}(\+00:00)?"/);
    expect(Boolean(/\+00:00"/.test(out.raw))).toBe(isCelery55());
    expect(out.ttl).toBeGreaterThan(86_300);
    expect(out.ttl).toBeLessThanOrEqual(86_400);
  });

  it('a Nest FAILURE reaches the Python client as the exception, with its traceback', async () => {
    const out = await runPython<{ error: PyError; state: string; traceback: string }>('redis_results_client.py', { case: 'failure' });
    expect(out.error).toMatchObject({ type: 'ValueError', message: 'boom' });
    expect(out.state).toBe('FAILURE');
    expect(out.traceback).toContain('ValueError');
  });

  it('result_extended: a Python client reads name, args, kwargs, worker, queue and retries', async () => {
    const out = await runPython<Record<string, unknown>>('redis_results_client.py', { case: 'extended' });
    expect(out).toMatchObject({ name: 'interop.add', args: [4, 5], kwargs: {}, queue: NEST_QUEUE, retries: 0 });
    expect(out.worker).toMatch(/@/);
  });

  it('STARTED (trackStarted) and RETRY states are stored and published before the final SUCCESS', async () => {
    const out = await runPython<{ value: number; states: string[] }>('redis_results_client.py', { case: 'retry' });
    expect(out.value).toBe(2);
    expect(out.states).toEqual(['STARTED', 'RETRY', 'STARTED', 'RETRY', 'STARTED', 'SUCCESS']);
  });

  it('a Nest client gets a Python worker result: state, ready(), dateDone, forget()', async () => {
    const r = await client.sendTask<number>('pyredis.add', [20, 22]);
    await expect(r.get({ timeout: 20_000 })).resolves.toBe(42);
    expect(r.state).toBe('SUCCESS');
    expect(r.ready()).toBe(true);
    expect(r.dateDone!.getTime()).toBeGreaterThan(Date.now() - 60_000);
    expect(await redis.exists(`celery-task-meta-${r.id}`)).toBe(1);
    await r.forget();
    expect(await redis.exists(`celery-task-meta-${r.id}`)).toBe(0);
    expect(r.state).toBe('PENDING');
  });

  it('a Nest client gets a Python FAILURE as CeleryRemoteError, and a Nest worker result too', async () => {
    const failed = await client.sendTask('pyredis.fail', ['py boom']);
    const error = await failed.get({ timeout: 20_000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CeleryRemoteError);
    expect(error).toMatchObject({ excType: 'ValueError', message: expect.stringContaining('py boom') });
    const nestResult = await client.sendTask<number>('interop.mul', [6, 7]);
    await expect(nestResult.get({ timeout: 20_000 })).resolves.toBe(42);
  });

  it('a result stored before anyone subscribed is not missed (the key is read after subscribing)', async () => {
    const sent = await client.sendTask<number>('interop.add', [1, 2]);
    await sent.get({ timeout: 20_000 });
    const late = client.asyncResult<number>(sent.id);
    await expect(late.get({ timeout: 5_000 })).resolves.toBe(3);
  });

  it('a Python client waits for a task a Nest client sent (any client can read the result)', async () => {
    const sent = await client.sendTask<number>('interop.add', [5, 5]);
    const out = await runPython<{ value: number; state: string }>('redis_results_client.py', { case: 'wait', id: sent.id });
    expect(out).toMatchObject({ value: 10, state: 'SUCCESS' });
  });

  it("ignore_result stores no SUCCESS (the caller's ignore_result still lets trackStarted store STARTED, as Celery's tracer does)", async () => {
    const r = await client.sendTask('interop.add', [1, 1], {}, { ignoreResult: true });
    const probe = await client.sendTask<number>('interop.add', [2, 2]);
    await probe.get({ timeout: 20_000 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const stored = await redis.get(`celery-task-meta-${r.id}`);
    expect(stored === null ? null : (JSON.parse(stored) as { status: string }).status).toBe('STARTED');
  });

  it('REVOKED is stored for a task revoked before it ran', async () => {
    const r = await client.sendTask('interop.add', [1, 1], {}, { countdown: 2 });
    await client.control.revoke(r.id);
    const error = await r.get({ timeout: 20_000 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ excType: 'TaskRevokedError' });
    expect(r.state).toBe('REVOKED');
  });

  it('GroupResult: Nest saves, Python restores and joins; Python saves, Nest restores and joins in order', async () => {
    const group = await client.group<number>([client.signature('interop.add', [1, 1]), client.signature('pyredis.add', [2, 2]), client.signature('interop.add', [3, 3])]);
    await group.save();
    const restoredByPython = await runPython<{ ids: string[]; values: number[] }>('redis_results_client.py', { case: 'restore_group', id: group.id });
    expect(restoredByPython).toEqual({ ids: group.results.map((r: AsyncResult) => r.id), values: [2, 4, 6] });

    const saved = await runPython<{ id: string; ids: string[]; values: number[] }>('redis_results_client.py', { case: 'save_group', n: 4 });
    const restored = await client.restoreGroup<number>(saved.id);
    expect(restored!.results.map((r) => r.id)).toEqual(saved.ids);
    await expect(restored!.join({ timeout: 10_000 })).resolves.toEqual([0, 2, 4, 6]);
    await expect(client.restoreGroup('no-such-group')).resolves.toBeUndefined();
  });

  it('an unreachable result backend is a typed error before anything is sent', async () => {
    const offline = new CeleryClient({ brokerUrl: BROKER_URL, resultBackend: 'redis://127.0.0.1:1/0', defaultQueue: NEST_QUEUE });
    try {
      await expect(offline.sendTask('interop.add', [1, 1])).rejects.toBeInstanceOf(ResultBackendUnavailableError);
    } finally {
      await offline.close();
    }
  });
});
