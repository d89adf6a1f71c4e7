/**
 * Follow-ups that cannot be sent (issue 12, item 3): a callback with priority 999, a chain step
 * with an empty name, a callback `task_id` of 42, a callback to a missing exchange, and a retry
 * whose republish fails. Each message is published raw, then a worker runs as its own process:
 * the Nest interop worker and, for comparison, a Python Celery 5.2.6 worker. Both run each body
 * exactly once and report FAILURE (Celery publishes the nameless chain step and succeeds). The Nest
 * worker acknowledges the follow-up failures and dead-letters the failed retry, as `Task.retry`'s
 * `Reject(requeue=False)` would; Celery, whose republish is unconfirmed, fails the task on the
 * channel error instead (its result sometimes lost with the channel) and acknowledges it.
 */
import { randomUUID } from 'node:crypto';
import { amqplib, encodeTaskMessage, toPyAmqpTable, type SignatureDict } from 'nestjs-celery';
import { BROKER_URL } from './support/broker-url.js';
import type { ManagedProcess } from './support/child-process.js';
import { startInteropWorker } from './support/interop-worker.js';
import { startPythonWorker } from './support/python.js';
import { deleteExchanges, deleteQueues, queueDepth } from './support/rabbitmq-admin.js';

type Connection = Awaited<ReturnType<typeof amqplib.connect>>;

const NEST_QUEUE = 'interop.followup';
const PY_QUEUE = 'pyinterop.followup';
const DLX = 'interop.followup.dlx';
const DLQ = `${DLX}.queue`;
/** How long a requeue loop would have run: the old worker ran one message ~3,500 times a second. */
const SETTLE_MS = 2_000;

const sig = (task: string, args: unknown[], options: Record<string, unknown> = {}): SignatureDict => ({
  task,
  args,
  kwargs: {},
  options,
  subtask_type: null,
  immutable: false,
});

interface Case {
  name: string;
  /** `interop.tally` kwargs */
  kwargs: Record<string, unknown>;
  callbacks?: SignatureDict[];
  chain?: SignatureDict[];
  /** published through this exchange, deleted before the worker starts (the retry goes back there) */
  viaGoneExchange?: boolean;
}

function cases(queue: string): Case[] {
  return [
    { name: 'callback-priority-999', kwargs: { x: 1, y: 2, retries: 0 }, callbacks: [sig('interop.tally', [1], { priority: 999 })] },
    { name: 'chain-step-empty-name', kwargs: { x: 1, y: 2, retries: 0 }, chain: [sig('', [], { queue: `${queue}.stray` })] },
    { name: 'callback-task-id-42', kwargs: { x: 1, y: 2, retries: 0 }, callbacks: [sig('interop.tally', [1], { task_id: 42 })] },
    {
      name: 'callback-missing-exchange',
      kwargs: { x: 1, y: 2, retries: 0 },
      callbacks: [sig('interop.tally', [1], { exchange: `${queue}.missing`, routing_key: 'x' })],
    },
    { name: 'retry-to-deleted-exchange', kwargs: { x: 1, y: 2, retries: 1 }, viaGoneExchange: true },
  ];
}

interface Reply {
  status: string;
  result: { exc_type?: string; exc_message?: unknown[] } | number | null;
}

/** Declares `queue` as Celery does, publishes every case with `reply_to`, then deletes the retry's exchange. Returns the ids by case name. */
async function publishCases(connection: Connection, queue: string, replyQueue: string): Promise<Map<string, string>> {
  const channel = await connection.createConfirmChannel();
  const gone = `${queue}.gone`;
  await channel.assertExchange(queue, 'direct', { durable: true, autoDelete: false });
  await channel.assertQueue(queue, { durable: true, autoDelete: false });
  await channel.bindQueue(queue, queue, queue);
  await channel.assertExchange(gone, 'direct', { durable: false, autoDelete: false });
  await channel.bindQueue(queue, gone, queue);
  await channel.assertQueue(replyQueue, { durable: false, autoDelete: false });
  const ids = new Map<string, string>();
  for (const c of cases(queue)) {
    const id = randomUUID();
    ids.set(c.name, id);
    const { body, properties } = encodeTaskMessage({
      id,
      task: 'interop.tally',
      kwargs: c.kwargs,
      embed: { callbacks: c.callbacks ?? null, errbacks: null, chain: c.chain ?? null, chord: null },
      origin: 'follow-up-failures-test',
      replyTo: replyQueue,
    });
    channel.publish(c.viaGoneExchange ? gone : '', queue, body, { ...properties, headers: toPyAmqpTable(properties.headers) });
  }
  await channel.waitForConfirms();
  await channel.deleteExchange(gone);
  await channel.close();
  return ids;
}

/** Every reply in `replyQueue`, by correlation id (several per id when a task reported more than once). */
async function drainReplies(connection: Connection, replyQueue: string, into: Map<string, Reply[]>): Promise<void> {
  const channel = await connection.createChannel();
  for (;;) {
    const message = await channel.get(replyQueue, { noAck: true });
    if (!message) break;
    const id = String(message.properties.correlationId);
    into.set(id, [...(into.get(id) ?? []), JSON.parse(message.content.toString()) as Reply]);
  }
  await channel.close();
}

async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** How many times the worker logged a run of `interop.tally` for `id`. */
function runs(log: string, id: string): number {
  return log.split('\n').filter((line) => line.includes(`interop.tally ran ${id}`)).length;
}

/** The final state replies (RETRY is an intermediate one) of one task id. */
function finalStates(replies: Map<string, Reply[]>, id: string): string[] {
  return (replies.get(id) ?? []).map((r) => r.status).filter((s) => s !== 'RETRY');
}

describe('follow-ups that cannot be sent (worker as its own process)', () => {
  let connection: Connection;
  const queues = [NEST_QUEUE, PY_QUEUE, DLQ, `${NEST_QUEUE}.reply`, `${PY_QUEUE}.reply`, `${PY_QUEUE}.stray`, `${NEST_QUEUE}.stray`];
  const exchanges = [NEST_QUEUE, PY_QUEUE, DLX, `${NEST_QUEUE}.gone`, `${PY_QUEUE}.gone`];

  beforeAll(async () => {
    await deleteQueues(BROKER_URL, ...queues);
    await deleteExchanges(BROKER_URL, ...exchanges);
    connection = await amqplib.connect(BROKER_URL);
  });

  afterAll(async () => {
    await connection?.close().catch(() => undefined);
    await deleteQueues(BROKER_URL, ...queues);
    await deleteExchanges(BROKER_URL, ...exchanges);
  });

  it('the Nest worker runs each body once, reports FAILURE, acks the follow-up failures and dead-letters the failed retry', async () => {
    const replyQueue = `${NEST_QUEUE}.reply`;
    const ids = await publishCases(connection, NEST_QUEUE, replyQueue);
    let worker: ManagedProcess | undefined;
    try {
      worker = await startInteropWorker({ INTEROP_QUEUE: NEST_QUEUE, INTEROP_DLX: DLX });
      const replies = new Map<string, Reply[]>();
      await waitUntil(
        async () => {
          await drainReplies(connection, replyQueue, replies);
          return [...ids.values()].every((id) => finalStates(replies, id).length > 0);
        },
        30_000,
        'a final state for every case',
      );
      // long enough for a requeue loop to have run the bodies thousands of times
      await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
      await drainReplies(connection, replyQueue, replies);

      const figures = Object.fromEntries(
        [...ids].map(([name, id]) => [name, { executed: runs(worker!.log, id), states: finalStates(replies, id) }]),
      );
      console.log('Nest worker, follow-ups that cannot be sent:', JSON.stringify(figures));
      for (const [name, id] of ids) {
        expect({ name, executed: runs(worker.log, id), states: finalStates(replies, id) }).toEqual({ name, executed: 1, states: ['FAILURE'] });
      }
      const error = (name: string) => JSON.stringify(replies.get(ids.get(name)!)!.at(-1)!.result);
      expect(error('callback-priority-999')).toContain('priority');
      expect(error('chain-step-empty-name')).toContain('task name must be a non-empty string');
      expect(error('callback-task-id-42')).toContain('taskId');
      expect(error('callback-missing-exchange')).toContain(`exchange '${NEST_QUEUE}.missing'`);
      expect(error('retry-to-deleted-exchange')).toContain(`exchange '${NEST_QUEUE}.gone'`);
      // the retry's RETRY state was never reported: the republish failed first
      expect(replies.get(ids.get('retry-to-deleted-exchange')!)!.map((r) => r.status)).toEqual(['FAILURE']);

      // one bounded log line each; nothing requeued; the failed retry dead-lettered once
      const lines = worker.log.split('\n');
      expect(lines.filter((l) => l.includes('its follow-up tasks could not be sent'))).toHaveLength(4);
      expect(lines.filter((l) => l.includes('asked for a retry that could not be sent'))).toHaveLength(1);
      expect(Math.max(...lines.map((l) => l.length))).toBeLessThan(2_000);
      expect(await queueDepth(BROKER_URL, NEST_QUEUE)).toBe(0);
      const channel = await connection.createChannel();
      const dead = await channel.get(DLQ, { noAck: true });
      expect(dead && dead.properties.headers?.['x-celery-rejected-reason']).toBe('retry-not-sent');
      expect(dead && dead.properties.headers?.id).toBe(ids.get('retry-to-deleted-exchange'));
      expect(await channel.get(DLQ, { noAck: true })).toBe(false);
      await channel.close();

      // and it keeps working
      expect(worker.child.exitCode).toBeNull();
    } finally {
      await worker?.stop();
    }
  }, 90_000);

  it('Python Celery 5.2.6 runs the same messages once each too (FAILURE, except the empty name it does not check, and results lost with a closed channel), and acks them', async () => {
    const replyQueue = `${PY_QUEUE}.reply`;
    const ids = await publishCases(connection, PY_QUEUE, replyQueue);
    let worker: ManagedProcess | undefined;
    try {
      worker = await startPythonWorker('followup_app', [PY_QUEUE]);
      await waitUntil(() => [...ids.values()].every((id) => runs(worker!.log, id) > 0), 30_000, 'a run of every case');
      // Celery's result of a task whose publish hit a closed channel comes late, or not at all (below)
      const replies = new Map<string, Reply[]>();
      await waitUntil(
        async () => {
          await drainReplies(connection, replyQueue, replies);
          return [...ids.values()].every((id) => finalStates(replies, id).length > 0);
        },
        10_000,
        'a final state for every case',
      ).catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
      await drainReplies(connection, replyQueue, replies);
      const figures = Object.fromEntries(
        [...ids].map(([name, id]) => [
          name,
          { executed: runs(worker!.log, id), states: finalStates(replies, id), error: JSON.stringify(replies.get(id)?.at(-1)?.result ?? null).slice(0, 160) },
        ]),
      );
      console.log('Python worker, same messages:', JSON.stringify(figures));
      for (const [name, id] of ids) expect({ name, executed: runs(worker.log, id) }).toEqual({ name, executed: 1 });
      expect(figures).toMatchObject({
        'callback-priority-999': { states: ['FAILURE'] },
        // Celery publishes a step named '' (no worker can run it); the Nest worker refuses to send it
        'chain-step-empty-name': { states: ['SUCCESS'] },
        'callback-task-id-42': { states: ['FAILURE'] },
      });
      // Celery's publishes are unconfirmed: the 404 closes the channel after the publish "succeeded" and
      // surfaces on a later publish, failing the task; its FAILURE result is sometimes lost with the
      // channel (seen both ways on this machine), so the caller may wait forever. Never more than one.
      expect(['["FAILURE"]', '[]']).toContain(JSON.stringify(figures['callback-missing-exchange']!.states));
      expect(['["FAILURE"]', '[]']).toContain(JSON.stringify(figures['retry-to-deleted-exchange']!.states));
      expect(await queueDepth(BROKER_URL, PY_QUEUE)).toBe(0);
    } finally {
      await worker?.stop();
    }
  }, 120_000);
});
