/**
 * Remote control (issue #5): a Nest worker (ServerCelery) beside a real Python Celery 5.2.6
 * worker answers the real `celery inspect` / `celery status` CLI (also `reserved`, `scheduled`,
 * `query_task` and `conf`, in a Python worker's shapes); revoke works from Python and
 * from Nest, against both; `discover()` finds and calls tasks of both; malformed control
 * messages and unknown commands get Celery's error replies and the worker keeps serving.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Controller, Module, type INestMicroservice } from '@nestjs/common';
import { Ctx } from '@nestjs/microservices';
import { Test } from '@nestjs/testing';
import {
  amqplib,
  CeleryClient,
  CeleryContext,
  CeleryTask,
  CeleryTaskRevokedError,
  ServerCelery,
  TASK_APPLY,
  TASK_CATALOG,
  TaskArg,
  type ControlReply,
} from 'nestjs-celery';
import { BROKER_URL, CELERY_PYTHON } from './support/broker-url.js';
import { celeryPythonPath, celeryRelease } from './support/celery-version.js';
import { startProcess, type ManagedProcess } from './support/child-process.js';
import { PYTHON_DIR, runCeleryCli, runPython, startPythonWorker } from './support/python.js';
import { deleteExchanges, deleteQueues } from './support/rabbitmq-admin.js';
import { waitFor } from './support/wait-for.js';

const PY_QUEUE = 'ctl.py';
/** Queue of a second Python worker with a thread pool: unlike `solo`, it answers inspect while a task runs. */
const PY_THREADS_QUEUE = 'ctl.pythreads';
const NEST_QUEUE = 'ctl.nest';
const PY_NODE = `py-${process.pid}@${hostname()}`;

/** Task ids the Nest worker actually ran. */
const executed = new Set<string>();
/** Abort reasons seen by running Nest tasks, by id. */
const aborted = new Map<string, unknown>();
/** Ends a running `nestctl.slow` early (as if its time had passed), by id: tests hold tasks as long as they need. */
const releases = new Map<string, () => void>();

@Controller()
class ControlTasks {
  @CeleryTask('nestctl.add', { params: ['x', 'y'] })
  add(@TaskArg(0) x: number, @TaskArg(1) y: number, @Ctx() ctx: CeleryContext): number {
    executed.add(ctx.id);
    return x + y;
  }

  @CeleryTask('nestctl.slow', { params: ['ms'] })
  async slow(@TaskArg(0) ms: number, @Ctx() ctx: CeleryContext): Promise<string> {
    executed.add(ctx.id);
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      releases.set(ctx.id, () => {
        clearTimeout(timer);
        resolve();
      });
      ctx.signal.addEventListener('abort', () => {
        aborted.set(ctx.id, ctx.signal.reason);
        clearTimeout(timer);
        resolve();
      });
    });
    releases.delete(ctx.id);
    return 'finished';
  }
}

/** Lets running `nestctl.slow` tasks finish now. */
function release(...ids: string[]): void {
  for (const id of ids) releases.get(id)?.();
}

@Module({ controllers: [ControlTasks] })
class ControlWorkerModule {}

/** Runs the real Celery CLI (`celery -A control_app ...`) on this file's vhost. */
function celeryCli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return runCeleryCli('control_app', args);
}

async function py<T>(params: Record<string, unknown>): Promise<T> {
  const out = await runPython<{ ok: boolean; result: T; error?: string; traceback?: string }>('control_client.py', params);
  if (!out.ok) throw new Error(`control_client.py ${String(params.case)} raised ${out.error}\n${out.traceback}`);
  return out.result;
}

/**
 * Publishes raw messages to `celery.pidbox` and collects the replies on a private reply queue.
 * A `ping` to `barrierNodes` goes last: once each of them answered it, they have answered (or
 * dropped) everything before it, so the replies are complete without a fixed wait.
 */
async function rawControl(bodies: Array<string | object>, barrierNodes: string[]): Promise<Array<{ ticket: unknown; body: unknown }>> {
  const connection = await amqplib.connect(BROKER_URL);
  try {
    const channel = await connection.createChannel();
    const oid = randomUUID();
    const queue = `${oid}.reply.celery.pidbox`;
    await channel.assertQueue(queue, { durable: false, autoDelete: true, arguments: { 'x-expires': { '!': 'int32', value: 10000 }, 'x-message-ttl': { '!': 'int32', value: 300000 } } });
    await channel.bindQueue(queue, 'reply.celery.pidbox', oid);
    const replies: Array<{ ticket: unknown; body: unknown }> = [];
    await channel.consume(queue, (m) => m && replies.push({ ticket: m.properties.headers?.ticket, body: JSON.parse(m.content.toString()) }), { noAck: true });
    const barrier = { method: 'ping', arguments: {}, destination: barrierNodes, ticket: `barrier-${oid}` };
    for (const body of [...bodies, barrier]) {
      const content = typeof body === 'string' ? body : JSON.stringify({ ...body, reply_to: { exchange: 'reply.celery.pidbox', routing_key: oid } });
      channel.publish('celery.pidbox', '', Buffer.from(content), { contentType: 'application/json', contentEncoding: 'utf-8' });
    }
    await waitFor(() => replies.filter((r) => r.ticket === barrier.ticket).length === barrierNodes.length, {
      what: 'the barrier pings to be answered',
    }).catch((error: Error) => {
      throw new Error(`${error.message}; replies so far: ${JSON.stringify(replies)}`);
    });
    return replies.filter((r) => r.ticket !== barrier.ticket);
  } finally {
    await connection.close().catch(() => undefined);
  }
}

describe(`remote control: Nest worker beside a Python Celery ${celeryRelease()} worker`, () => {
  let pyWorker: ManagedProcess;
  let worker: INestMicroservice;
  let server: ServerCelery;
  let client: CeleryClient;
  let nestNode: string;

  beforeAll(async () => {
    await deleteQueues(BROKER_URL, PY_QUEUE, NEST_QUEUE);
    const moduleRef = await Test.createTestingModule({ imports: [ControlWorkerModule] }).compile();
    server = new ServerCelery({ brokerUrl: BROKER_URL, queues: [NEST_QUEUE], defaultQueue: NEST_QUEUE, concurrency: 4 });
    nestNode = server.hostname;
    worker = moduleRef.createNestMicroservice({ strategy: server, logger: false });
    const [started] = await Promise.all([startPythonWorker('control_app', [PY_QUEUE]), worker.listen()]);
    pyWorker = started;
    client = new CeleryClient({ brokerUrl: BROKER_URL, defaultQueue: NEST_QUEUE });
    await client.connect();
  }, 90_000);

  afterAll(async () => {
    await client?.close();
    await worker?.close();
    await pyWorker?.stop();
    await deleteQueues(BROKER_URL, PY_QUEUE, NEST_QUEUE, PY_THREADS_QUEUE);
    await deleteExchanges(BROKER_URL, PY_QUEUE, NEST_QUEUE, PY_THREADS_QUEUE);
  }, 30_000);

  it('the default node name is nest<pid>@<hostname>', () => {
    expect(nestNode).toBe(`nest${process.pid}@${hostname()}`);
  });

  it('real `celery inspect ping` and `celery status` list the Nest worker beside the Python one', async () => {
    const ping = await celeryCli('inspect', 'ping', '-t', '2');
    expect(ping.code).toBe(0);
    expect(ping.stdout).toContain(`->  ${nestNode}: OK`);
    expect(ping.stdout).toContain(`->  ${PY_NODE}: OK`);
    expect(ping.stdout).toMatch(new RegExp(`${nestNode.replace(/[.]/g, '\\.')}: OK\\s+pong`));
    expect(ping.stdout).toContain('2 nodes online.');

    const status = await celeryCli('status', '-t', '2');
    expect(status.code).toBe(0);
    expect(status.stdout).toContain(`->  ${nestNode}: OK`);
    expect(status.stdout).toContain(`->  ${PY_NODE}: OK`);
    expect(status.stdout).toContain('2 nodes online.');
  }, 60_000);

  it('real `celery inspect registered`, `inspect active_queues` and `control revoke` reach the Nest worker', async () => {
    const registered = await celeryCli('inspect', 'registered', '-t', '2');
    expect(registered.code).toBe(0);
    const nestPart = registered.stdout.slice(registered.stdout.indexOf(nestNode));
    expect(nestPart).toMatch(/\* nestctl\.add\s+\* nestctl\.slow/);
    expect(registered.stdout).toContain('* pyctl.add');

    const queues = await celeryCli('inspect', 'active_queues', '-d', nestNode, '-t', '2');
    expect(queues.code).toBe(0);
    expect(queues.stdout).toContain(`->  ${nestNode}: OK`);
    expect(queues.stdout).toContain(
      "* {'name': 'ctl.nest', 'exchange': {'name': 'ctl.nest', 'type': 'direct', 'arguments': None, 'durable': True, " +
        "'passive': False, 'auto_delete': False, 'delivery_mode': None, 'no_declare': False}, 'routing_key': 'ctl.nest'",
    );
    expect(queues.stdout).toContain('1 node online.');

    const revokedId = randomUUID();
    const revoke = await celeryCli('control', 'revoke', revokedId, '-d', nestNode, '-t', '2');
    expect(revoke.code).toBe(0);
    expect(revoke.stdout).toMatch(new RegExp(`->  ${nestNode.replace(/[.]/g, '\\.')}: OK\\s+tasks ${revokedId} flagged as revoked`));

    const other = await celeryCli('inspect', 'ping', '-d', 'nobody@nowhere', '-t', '1');
    expect(other.code).not.toBe(0);
    expect(other.stdout + other.stderr).toContain('No nodes replied');
  }, 60_000);

  it('`inspect stats -j` from the real CLI: the Nest reply has the keys Python workers send', async () => {
    const stats = await celeryCli('inspect', 'stats', '-j', '-t', '2');
    expect(stats.code).toBe(0);
    const replies = JSON.parse(stats.stdout) as Record<string, Record<string, unknown>>;
    const nest = replies[nestNode]!;
    const python = replies[PY_NODE]!;
    expect(Object.keys(nest).sort()).toEqual(Object.keys(python).sort());
    // the pool's `implementation` (module:Class) is sent by Celery 5.5, not 5.2: the Nest worker always sends it
    expect(Object.keys(nest.pool as object).sort()).toEqual([...new Set([...Object.keys(python.pool as object), 'implementation'])].sort());
    expect(Object.keys(nest.broker as object).sort()).toEqual(Object.keys(python.broker as object).sort());
    expect(nest).toMatchObject({ pid: process.pid, clock: expect.stringMatching(/^\d+$/), prefetch_count: 16 });
    expect(nest.pool).toMatchObject({ 'max-concurrency': 4, processes: [process.pid] });
    expect(nest.broker).toEqual({ ...(python.broker as object), heartbeat: 30 });
  }, 30_000);

  it('client.control: ping, registered, activeQueues and stats from Python and Nest workers alike', async () => {
    const control = client.control;
    const pongs = await control.ping();
    expect(pongs).toEqual({ [nestNode]: { ok: 'pong' }, [PY_NODE]: { ok: 'pong' } });

    const inspect = control.inspect();
    const [registered, queues, stats] = await Promise.all([inspect.registered(), inspect.activeQueues(), inspect.stats()]);
    expect(registered).toEqual({ [nestNode]: ['nestctl.add', 'nestctl.slow'], [PY_NODE]: ['pyctl.add', 'pyctl.sleep', 'pyctl.tag'] });
    expect(queues[nestNode]).toEqual([{ ...queues[PY_NODE]![0], name: NEST_QUEUE, routing_key: NEST_QUEUE, exchange: { ...queues[PY_NODE]![0]!.exchange, name: NEST_QUEUE } }]);
    expect(stats[nestNode]!.pid).toBe(process.pid);

    const only = await control.inspect({ destination: [nestNode] }).ping();
    expect(only).toEqual({ [nestNode]: { ok: 'pong' } });
    const byPattern = await control.inspect({ pattern: 'py-*', matcher: 'glob' }).ping();
    expect(Object.keys(byPattern)).toEqual([PY_NODE]);
  }, 30_000);

  it('inspect active shows a running Nest request shaped like Request.info()', async () => {
    const result = await client.sendTask('nestctl.slow', [30_000], {}, { queue: NEST_QUEUE });
    await waitFor(() => executed.has(result.id), { what: 'nestctl.slow to start' });
    const active = await client.control.inspect({ destination: [nestNode] }).active();
    expect(active[nestNode]).toEqual([
      {
        id: result.id,
        name: 'nestctl.slow',
        args: [30_000],
        kwargs: {},
        type: 'nestctl.slow',
        hostname: nestNode,
        time_start: expect.any(Number),
        acknowledged: false,
        delivery_info: { exchange: '', routing_key: NEST_QUEUE, priority: null, redelivered: false },
        worker_pid: process.pid,
      },
    ]);
    release(result.id);
    await expect(result.get({ timeout: 10_000 })).resolves.toBe('finished');
  }, 30_000);

  it('inspect active --safe gives args reprs although compact headers carry no argsrepr', async () => {
    // Held until the Python process (which must start and import Celery first) has inspected it.
    const result = await client.sendTask('nestctl.slow', [30_000], { }, { queue: NEST_QUEUE });
    await waitFor(() => executed.has(result.id), { what: 'nestctl.slow to start' });
    const fromPython = await py<Record<string, Array<Record<string, unknown>>>>({ case: 'inspect', method: 'active', kwargs: { safe: true } });
    release(result.id);
    expect(fromPython[nestNode]).toEqual([expect.objectContaining({ id: result.id, args: '(30000,)', kwargs: '{}' })]);
    await expect(result.get({ timeout: 10_000 })).resolves.toBe('finished');
  }, 30_000);

  it('real `celery inspect reserved / scheduled / query_task` see Nest requests shaped like a Python worker\'s', async () => {
    const threadsNode = `pythreads-${process.pid}@${hostname()}`;
    // Later -P / -n options override startPythonWorker's `-P solo` and node name.
    const threaded = await startPythonWorker('control_app', [PY_THREADS_QUEUE], ['-P', 'threads', '-n', threadsNode]);
    try {
      // Each worker: every slot busy, one task waiting for a slot, one held for its ETA.
      const pyBusy = await client.sendTask('pyctl.sleep', [15], {}, { queue: PY_THREADS_QUEUE });
      const pyWaiting = await client.sendTask('pyctl.add', [1, 2], {}, { queue: PY_THREADS_QUEUE });
      const pyHeld = await client.sendTask('pyctl.add', [3, 4], {}, { queue: PY_THREADS_QUEUE, countdown: 20 });
      const nestBusy = await Promise.all([1, 2, 3, 4].map(() => client.sendTask('nestctl.slow', [60_000], {}, { queue: NEST_QUEUE })));
      const nestWaiting = await client.sendTask('nestctl.add', [1, 2], {}, { queue: NEST_QUEUE });
      const nestHeld = await client.sendTask('nestctl.add', [3, 4], {}, { queue: NEST_QUEUE, countdown: 20 });
      // Until both workers report every request where it belongs (busy, waiting for a slot, held).
      const nodes = client.control.inspect({ destination: [threadsNode, nestNode] });
      const lists = (reply: Record<string, unknown>, node: string) => JSON.stringify(reply[node] ?? []);
      await waitFor(
        async () => {
          const [active, reserved, scheduled] = await Promise.all([nodes.active(), nodes.reserved(), nodes.scheduled()]);
          return (
            lists(active, threadsNode).includes(pyBusy.id) &&
            lists(reserved, threadsNode).includes(pyWaiting.id) &&
            lists(scheduled, threadsNode).includes(pyHeld.id) &&
            nestBusy.every((r) => lists(active, nestNode).includes(r.id)) &&
            lists(reserved, nestNode).includes(nestWaiting.id) &&
            lists(scheduled, nestNode).includes(nestHeld.id)
          );
        },
        { timeout: 20_000, what: 'both workers to hold their busy, waiting and held requests' },
      );

      /** A Python worker's Request.info() as the Nest worker should give it for its own request. */
      const asNest = (info: Record<string, unknown>, id: string, name: string) => ({
        ...info,
        id,
        name,
        type: name,
        hostname: nestNode,
        delivery_info: { ...(info.delivery_info as object), routing_key: NEST_QUEUE },
      });

      const ids = [pyBusy.id, pyWaiting.id, pyHeld.id, nestBusy[0]!.id, nestWaiting.id, nestHeld.id];
      // Run at once, while every slot is still busy.
      const [reservedOut, scheduledOut, queryOut] = await Promise.all([
        celeryCli('inspect', 'reserved', '-j', '-t', '2'),
        celeryCli('inspect', 'scheduled', '-j', '-t', '2'),
        celeryCli('inspect', 'query_task', ...ids, '-j', '-t', '2'),
      ]);
      const reserved = JSON.parse(reservedOut.stdout) as Record<string, Array<Record<string, unknown>>>;
      expect(reserved[threadsNode]).toEqual([expect.objectContaining({ id: pyWaiting.id, args: [1, 2], time_start: null, worker_pid: null, acknowledged: false })]);
      expect(reserved[nestNode]).toEqual([asNest(reserved[threadsNode]![0]!, nestWaiting.id, 'nestctl.add')]);

      const scheduled = JSON.parse(scheduledOut.stdout) as Record<string, Array<Record<string, unknown>>>;
      const pyEntry = scheduled[threadsNode]![0]!;
      expect(scheduled[threadsNode]).toHaveLength(1);
      expect(pyEntry).toMatchObject({ eta: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00$/), priority: 6, request: { id: pyHeld.id } });
      expect(scheduled[nestNode]).toEqual([
        {
          eta: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00$/),
          priority: 6,
          request: { ...asNest(pyEntry.request as Record<string, unknown>, nestHeld.id, 'nestctl.add'), args: [3, 4] },
        },
      ]);
      expect(Math.abs(Date.parse(scheduled[nestNode]![0]!.eta as string) - Date.parse(pyEntry.eta as string))).toBeLessThan(3000);

      const query = JSON.parse(queryOut.stdout) as Record<string, Record<string, [string, Record<string, unknown>]>>;
      // Python leaves ETA-held requests out of query_task; the Nest worker reports them as 'scheduled'.
      expect(Object.keys(query[threadsNode]!).sort()).toEqual([pyBusy.id, pyWaiting.id].sort());
      expect(query[threadsNode]![pyBusy.id]![0]).toBe('active');
      expect(query[threadsNode]![pyWaiting.id]![0]).toBe('reserved');
      expect(query[nestNode]![nestWaiting.id]).toEqual(['reserved', asNest(query[threadsNode]![pyWaiting.id]![1], nestWaiting.id, 'nestctl.add')]);
      expect(query[nestNode]![nestBusy[0]!.id]![0]).toBe('active');
      expect(Object.keys(query[nestNode]![nestBusy[0]!.id]![1]).sort()).toEqual(Object.keys(query[threadsNode]![pyBusy.id]![1]).sort());
      expect(query[nestNode]![nestHeld.id]).toEqual(['scheduled', expect.objectContaining({ id: nestHeld.id, time_start: null })]);

      // The typed Nest API reads the same.
      const viaNest = client.control.inspect({ destination: [nestNode] });
      expect((await viaNest.reserved())[nestNode]).toEqual(reserved[nestNode]);
      expect(Object.keys((await viaNest.queryTask([nestWaiting.id]))[nestNode]!)).toEqual([nestWaiting.id]);

      await client.control.revoke([pyHeld.id, nestHeld.id], { reply: true });
      release(...nestBusy.map((r) => r.id));
      await expect(nestWaiting.get({ timeout: 15_000 })).resolves.toBe(3);
      await expect(pyWaiting.get({ timeout: 15_000 })).resolves.toBe(3);
      await Promise.all(nestBusy.map((r) => r.get({ timeout: 15_000 })));
    } finally {
      await threaded.stop();
    }
  }, 90_000);

  it('real `celery inspect conf`: the Nest worker names its settings like Celery and masks the broker password the same way', async () => {
    const conf = JSON.parse((await celeryCli('inspect', 'conf', '-j', '-t', '2')).stdout) as Record<string, Record<string, unknown>>;
    const python = conf[PY_NODE]!;
    expect(conf[nestNode]).toEqual({
      broker_url: python.broker_url,
      result_backend: python.result_backend,
      broker_heartbeat: 30,
      worker_concurrency: 4,
      worker_prefetch_multiplier: 4,
      task_acks_late: true,
      task_track_started: false,
      task_default_queue: NEST_QUEUE,
      worker_send_task_events: false,
      worker_enable_remote_control: true,
    });
    expect(python.broker_url).toMatch(/^amqp:\/\/guest:\*{8}@/);
    expect(JSON.stringify(conf[nestNode])).not.toContain(':guest@');
  }, 30_000);

  it('revoke from Python (app.control.revoke) against the Nest worker: REVOKED, never run', async () => {
    const id = randomUUID();
    const out = await py<{ state: string; error?: string; args?: string[] }>({
      case: 'revoke_then_send', id, task: 'nestctl.add', args: [1, 2], queue: NEST_QUEUE,
    });
    expect(out).toEqual({ state: 'REVOKED', error: 'TaskRevokedError', args: ['revoked'] });
    expect(executed.has(id)).toBe(false);
  }, 30_000);

  it('revoke from Nest against the Nest and the Python worker (replies like Python), then REVOKED results', async () => {
    const nestId = randomUUID();
    const pyId = randomUUID();
    const replies = await client.control.revoke([nestId, pyId], { reply: true });
    expect(replies).toEqual({
      [nestNode]: { ok: `tasks ${nestId}, ${pyId} flagged as revoked` },
      [PY_NODE]: { ok: expect.stringMatching(/^tasks .* flagged as revoked$/) },
    });
    const nest = await client.sendTask('nestctl.add', [1, 2], {}, { taskId: nestId, queue: NEST_QUEUE });
    await expect(nest.get({ timeout: 10_000 })).rejects.toBeInstanceOf(CeleryTaskRevokedError);
    expect(nest.state).toBe('REVOKED');
    expect(executed.has(nestId)).toBe(false);

    const python = await client.sendTask('pyctl.add', [1, 2], {}, { taskId: pyId, queue: PY_QUEUE });
    await expect(python.get({ timeout: 10_000 })).rejects.toMatchObject({ excType: 'TaskRevokedError', excArgs: ['revoked'] });
    expect(python.state).toBe('REVOKED');

    // A cast (the default, like app.control.revoke) and a single id.
    const castId = randomUUID();
    await expect(client.control.revoke(castId)).resolves.toEqual({});
    const revoked = await waitFor(
      async () => {
        const reply = await client.control.inspect({ destination: [nestNode, PY_NODE] }).revoked();
        return [nestNode, PY_NODE].every((node) => reply[node]?.includes(castId)) && reply;
      },
      { what: 'both workers to list the cast revoke' },
    );
    expect(revoked[nestNode]).toEqual(expect.arrayContaining([nestId, pyId, castId]));
    expect(revoked[PY_NODE]).toEqual(expect.arrayContaining([nestId, pyId, castId]));
  }, 30_000);

  it('a task held for its ETA and revoked meanwhile is REVOKED at its ETA, not run', async () => {
    const held = await client.sendTask('nestctl.add', [2, 2], {}, { queue: NEST_QUEUE, countdown: 3 });
    await waitFor(async () => JSON.stringify((await client.control.inspect({ destination: [nestNode] }).scheduled())[nestNode] ?? []).includes(held.id), {
      what: 'the task to be held for its ETA',
    });
    await client.control.revoke(held.id, { destination: [nestNode], reply: true });
    await expect(held.get({ timeout: 10_000 })).rejects.toBeInstanceOf(CeleryTaskRevokedError);
    expect(executed.has(held.id)).toBe(false);
  }, 30_000);

  it('revoke with terminate aborts a running Nest task; its result is REVOKED terminated', async () => {
    const running = await client.sendTask('nestctl.slow', [10_000], {}, { queue: NEST_QUEUE });
    await waitFor(() => executed.has(running.id), { what: 'nestctl.slow to start' });
    const replies = await client.control.revoke(running.id, { terminate: true, destination: [nestNode], reply: true });
    expect(replies).toEqual({ [nestNode]: { ok: `terminate: ${running.id}` } });
    await expect(running.get({ timeout: 5_000 })).rejects.toMatchObject({ excType: 'TaskRevokedError', excArgs: ['terminated'] });
    expect(aborted.get(running.id)).toMatchObject({ name: 'TaskRevokedError', message: 'terminated' });
  }, 30_000);

  it('discover(): finds Python and Nest tasks and calls both through the queues their workers listen on', async () => {
    const api = await client.discover();
    const catalog = api[TASK_CATALOG];
    expect(catalog.tasks['pyctl.add']).toEqual({
      queues: [PY_QUEUE],
      workers: [PY_NODE],
      route: { queue: PY_QUEUE, exchange: PY_QUEUE, routingKey: PY_QUEUE },
    });
    expect(catalog.tasks['nestctl.add']).toMatchObject({ queues: [NEST_QUEUE], workers: [nestNode] });
    expect(Object.keys(api).sort()).toEqual(['nestctl', 'pyctl']);

    const pySum = await api.pyctl!.add!(2, 3);
    await expect(pySum.get({ timeout: 10_000 })).resolves.toBe(5);
    const nestSum = await api.nestctl!.add!(20, 22);
    await expect(nestSum.get({ timeout: 10_000 })).resolves.toBe(42);
    const tagged = await api.pyctl!.tag![TASK_APPLY]([], { value: 'x' });
    await expect(tagged.get({ timeout: 10_000 })).resolves.toEqual({ python: 'x' });
    await expect(api.pyctl!()).rejects.toThrow("no live worker registered task 'pyctl'");
  }, 30_000);

  it("a Python worker started with mingle syncs the Nest worker's revoked ids (hello)", async () => {
    const nestOnly = randomUUID();
    await client.control.revoke(nestOnly, { destination: [nestNode], reply: true });
    const node = `py2-${process.pid}@${hostname()}`;
    const mingling = startProcess('python worker with mingle', CELERY_PYTHON,
      ['-m', 'celery', '-A', 'control_app', 'worker', '-P', 'solo', '-Q', PY_QUEUE, '-n', node, '--without-gossip', '-l', 'info'],
      { CELERY_BROKER_URL: BROKER_URL, PYTHONPATH: celeryPythonPath(PYTHON_DIR) });
    try {
      await mingling.waitFor(/ready\./, 60_000);
      expect(mingling.log).toMatch(/mingle: sync with \d+ nodes/);
      expect(mingling.log).not.toMatch(/mingle: sync with \S+ failed/);
      const revoked = await client.control.inspect({ destination: [node] }).revoked();
      expect(revoked[node]).toContain(nestOnly);
    } finally {
      await mingling.stop();
    }
  }, 90_000);

  it('unknown commands get the same error reply from the Nest worker as from Python', async () => {
    const fromPython = await py<ControlReply[]>({ case: 'broadcast', command: 'no_such_command' });
    const byNode = Object.assign({}, ...fromPython) as ControlReply;
    expect(byNode).toEqual({
      [nestNode]: { error: "KeyError('no_such_command')" },
      [PY_NODE]: { error: "KeyError('no_such_command')" },
    });
    const missing = await client.control.broadcast('revoke', { reply: true });
    expect(Object.assign({}, ...missing)).toEqual({
      [nestNode]: { error: 'TypeError("revoke() missing 1 required positional argument: \'task_id\'")' },
      [PY_NODE]: { error: 'TypeError("revoke() missing 1 required positional argument: \'task_id\'")' },
    });
  }, 30_000);

  it('malformed control messages get error replies (or are dropped) and the worker keeps serving', async () => {
    // The barrier goes to the Nest worker only: the Python one resets its pidbox consumer after a message it cannot read.
    const replies = await rawControl([
      'not json at all',
      '[1, 2, 3]',
      { method: 42, arguments: {}, destination: [nestNode], ticket: 't-method' },
      { method: 'ping', arguments: [1], destination: [nestNode], ticket: 't-args' },
    ], [nestNode]);
    expect(replies).toEqual(
      expect.arrayContaining([
        { ticket: 't-method', body: { [nestNode]: { error: 'KeyError(42)' } } },
        { ticket: 't-args', body: { [nestNode]: { error: "TypeError('ping() argument after ** must be a mapping, not list')" } } },
      ]),
    );
    expect(replies).toHaveLength(2);
    // Both workers keep answering (the Python one logged and dropped what it could not read, then
    // reset its pidbox consumer: it answers again once that is back).
    const pongs = await waitFor(
      async () => {
        const reply = await client.control.ping({ destination: [nestNode, PY_NODE] });
        return Object.keys(reply).length === 2 && reply;
      },
      { timeout: 20_000, what: 'both workers to answer ping' },
    );
    expect(pongs).toEqual({ [nestNode]: { ok: 'pong' }, [PY_NODE]: { ok: 'pong' } });
    const sum = await client.sendTask('nestctl.add', [5, 5], {}, { queue: NEST_QUEUE });
    await expect(sum.get({ timeout: 10_000 })).resolves.toBe(10);
  }, 30_000);
});
