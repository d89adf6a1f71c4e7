/**
 * Celery events from a Nest worker: a real Python Celery 5.2.6 event receiver feeding
 * `app.events.State()` (as `celery events` and Flower run it) sees the worker come online, stay
 * alive on its 2 s heartbeats and go offline on close; with task events on (`taskEvents`, like
 * `celery worker -E`) it follows tasks through received / started / succeeded and failed, with
 * the right uuid, name, result repr and exception repr; `disable_events` turns them off.
 */
import { hostname } from 'node:os';
import { Controller, Module, type INestMicroservice } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { CeleryClient, CeleryTask, ServerCelery, TaskArg } from 'nestjs-celery';
import { BROKER_URL, CELERY_PYTHON } from './support/broker-url.js';
import { celeryPythonPath } from './support/celery-version.js';
import { startProcess, type ManagedProcess } from './support/child-process.js';
import { PYTHON_DIR, runCeleryCli } from './support/python.js';
import { deleteExchanges, deleteQueues } from './support/rabbitmq-admin.js';

const QUEUE = 'ev.nest';
const NODE = `nestev-${process.pid}@${hostname()}`;

class ValueError extends Error {
  override readonly name = 'ValueError';
}

@Controller()
class EventTasks {
  @CeleryTask('nestev.add', { params: ['x', 'y'] })
  add(@TaskArg(0) x: number, @TaskArg(1) y: number): number {
    return x + y;
  }

  @CeleryTask('nestev.fail', { params: ['reason'] })
  fail(@TaskArg(0) reason: string): never {
    throw new ValueError(reason);
  }
}

@Module({ controllers: [EventTasks] })
class EventWorkerModule {}

interface TaskSnapshot {
  state: string;
  name: string | null;
  args: string | null;
  result: string | null;
  exception: string | null;
  has_traceback: boolean;
  runtime: number | null;
  received: number | null;
  started: number | null;
  worker: string;
}

/** One line of test/python/events_monitor.py: what `State()` knows of the Nest node. */
interface Snapshot {
  ready: boolean;
  counts: Record<string, number>;
  alive: string[];
  worker: {
    alive: boolean;
    sw_ident: string;
    sw_ver: string;
    sw_sys: string;
    freq: number;
    active: number;
    processed: number;
    loadavg: number[];
    pid: number;
    clock: number;
    heartbeats: number;
  } | null;
  tasks: Record<string, TaskSnapshot>;
}

/** The monitor's latest snapshot line. */
function latest(monitor: ManagedProcess): Snapshot | undefined {
  const lines = monitor.log.split('\n');
  for (let i = lines.length - 1; i >= 0; i--) {
    if (lines[i]!.startsWith('{"ready"')) {
      try {
        return JSON.parse(lines[i]!) as Snapshot;
      } catch {
        // a line still being written
      }
    }
  }
  return undefined;
}

/** Polls the monitor until `check` holds for a snapshot, and returns that snapshot. */
async function until(monitor: ManagedProcess, what: string, check: (snapshot: Snapshot) => boolean, timeoutMs = 15_000): Promise<Snapshot> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const snapshot = latest(monitor);
    if (snapshot && check(snapshot)) return snapshot;
    if (Date.now() > deadline) throw new Error(`State() never saw ${what}; last snapshot: ${JSON.stringify(snapshot)}\n${monitor.log.slice(-2000)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Runs the real Celery CLI on this file's vhost, with the monitor's app. */
function celeryCli(...args: string[]): Promise<{ code: number; stdout: string }> {
  return runCeleryCli('events_monitor', args);
}

describe('Celery events: a Python State() receiver follows a Nest worker', () => {
  let monitor: ManagedProcess;
  let worker: INestMicroservice;
  let client: CeleryClient;

  beforeAll(async () => {
    await deleteQueues(BROKER_URL, QUEUE);
    monitor = startProcess('python events monitor', CELERY_PYTHON, [`${PYTHON_DIR}events_monitor.py`, NODE], {
      CELERY_BROKER_URL: BROKER_URL,
      PYTHONPATH: celeryPythonPath(PYTHON_DIR),
    });
    await until(monitor, 'its own consumer ready', (s) => s.ready, 30_000);
    const moduleRef = await Test.createTestingModule({ imports: [EventWorkerModule] }).compile();
    const server = new ServerCelery({ brokerUrl: BROKER_URL, queues: [QUEUE], nodeName: NODE, concurrency: 2, taskEvents: true });
    worker = moduleRef.createNestMicroservice({ strategy: server, logger: false });
    await worker.listen();
    client = new CeleryClient({ brokerUrl: BROKER_URL, defaultQueue: QUEUE });
    await client.connect();
  }, 60_000);

  afterAll(async () => {
    await client?.close();
    await worker?.close();
    await monitor?.stop();
    await deleteQueues(BROKER_URL, QUEUE);
    await deleteExchanges(BROKER_URL, QUEUE);
  }, 30_000);

  it('worker-online makes the Nest worker alive in State(), with its software info and Lamport clock', async () => {
    const seen = await until(monitor, 'the worker online', (s) => s.worker?.alive === true);
    expect(seen.counts['worker-online']).toBe(1);
    expect(seen.alive).toContain(NODE);
    expect(seen.worker).toMatchObject({
      sw_ident: 'nestjs-celery',
      sw_ver: '0.1.0',
      sw_sys: 'Linux',
      freq: 2,
      active: 0,
      processed: 0,
      pid: process.pid,
      loadavg: [expect.any(Number), expect.any(Number), expect.any(Number)],
    });
    expect(seen.worker!.clock).toBeGreaterThan(0);
  });

  it('worker-heartbeat every 2 s keeps it alive (State() allows 2 × freq between beats)', async () => {
    const first = await until(monitor, 'a heartbeat', (s) => (s.counts['worker-heartbeat'] ?? 0) >= 1);
    const startCount = first.counts['worker-heartbeat']!;
    const startedAt = Date.now();
    const later = await until(monitor, 'three more heartbeats', (s) => s.counts['worker-heartbeat']! >= startCount + 3, 10_000);
    const elapsed = Date.now() - startedAt;
    expect(elapsed).toBeGreaterThan(3_500);
    expect(elapsed).toBeLessThan(8_000);
    expect(later.worker!.alive).toBe(true);
    expect(later.worker!.heartbeats).toBeGreaterThan(1);
  }, 20_000);

  it('task events: received, started and succeeded with the result repr and runtime', async () => {
    const result = await client.sendTask('nestev.add', [2, 3], {}, { queue: QUEUE });
    await expect(result.get({ timeout: 10_000 })).resolves.toBe(5);
    const seen = await until(monitor, 'the task succeed', (s) => s.tasks[result.id]?.state === 'SUCCESS');
    const task = seen.tasks[result.id]!;
    expect(task).toMatchObject({ name: 'nestev.add', args: '(2, 3)', result: '5', worker: NODE });
    expect(task.received).toEqual(expect.any(Number));
    expect(task.started).toBeGreaterThanOrEqual(task.received!);
    expect(task.runtime).toBeGreaterThanOrEqual(0);
    expect(task.runtime).toBeLessThan(5);
    expect(seen.counts).toMatchObject({ 'task-received': 1, 'task-started': 1, 'task-succeeded': 1 });
    const processed = await until(monitor, 'the processed count in a heartbeat', (s) => s.worker!.processed >= 1, 5_000);
    expect(processed.worker!.processed).toBe(1);
  }, 20_000);

  it('task-failed carries the exception repr and a traceback', async () => {
    const result = await client.sendTask('nestev.fail', ['bad value'], {}, { queue: QUEUE });
    await expect(result.get({ timeout: 10_000 })).rejects.toMatchObject({ excType: 'ValueError' });
    const seen = await until(monitor, 'the task fail', (s) => s.tasks[result.id]?.state === 'FAILURE');
    expect(seen.tasks[result.id]).toMatchObject({ name: 'nestev.fail', exception: "ValueError('bad value')", has_traceback: true, worker: NODE });
  }, 20_000);

  it('`celery control disable_events` turns task events off; worker heartbeats go on', async () => {
    const reply = await celeryCli('control', 'disable_events', '-d', NODE, '-t', '2');
    expect(reply.stdout).toContain('task events disabled');
    const before = latest(monitor)!;
    const result = await client.sendTask('nestev.add', [1, 1], {}, { queue: QUEUE });
    await expect(result.get({ timeout: 10_000 })).resolves.toBe(2);
    const after = await until(monitor, 'another heartbeat', (s) => s.counts['worker-heartbeat']! > before.counts['worker-heartbeat']! + 1);
    expect(after.tasks[result.id]).toBeUndefined();
    expect(after.counts['task-received']).toBe(before.counts['task-received']);
    const enabled = await celeryCli('control', 'enable_events', '-d', NODE, '-t', '2');
    expect(enabled.stdout).toContain('task events enabled');
  }, 30_000);

  it('worker-offline on close: State() no longer counts the worker alive', async () => {
    await worker.close();
    const seen = await until(monitor, 'the worker offline', (s) => s.worker?.alive === false);
    expect(seen.counts['worker-offline']).toBe(1);
    expect(seen.alive).not.toContain(NODE);
  }, 20_000);
});
