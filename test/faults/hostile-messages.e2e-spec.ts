/**
 * Fault injection: hostile messages in the middle of a stream of valid tasks, at the AMQP level
 * (header keys, types and sizes, properties, bodies, encodings, nesting), and tasks whose
 * follow-ups cannot be published. Refused messages are dead-lettered exactly once with a reason
 * and one bounded log line; valid ones run exactly once; nothing is lost; the worker lives.
 * (test/poison-messages.e2e-spec.ts sweeps more shapes one by one; this spec runs them under load.)
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Options } from 'amqplib';
import { encodeTaskMessage, type SignatureDict } from 'nestjs-celery';
import { DeadLetterCollector } from '../support/dead-letters.js';
import { readExecutions } from '../support/execution-log.js';
import { eventually, pause } from '../support/eventually.js';
import { countFigures, reportFigures } from '../support/fault-figures.js';
import { faultVhost, type FaultVhost } from '../support/fault-vhost.js';
import { startFaultWorker, type FaultWorker } from '../support/fault-worker.js';
import { deleteExchanges, deleteQueues, queueDepth } from '../support/rabbitmq-admin.js';
import { TaskPublisher } from '../support/task-publisher.js';

const QUEUE = 'faults.hostile';
const DLX = 'faults.hostile.dlx';
const DLQ = `${DLX}.queue`;
/** The worker's bounds (libs/nestjs-celery/src/runtime/bounded-line.ts), plus the logger's prefix. */
const LOG_LINE_LIMIT = 2048 + 200;
const DETAIL_LIMIT = 1024;
const VALID_TASKS = 300;
/** How long a requeue loop would have had to show itself (the old worker ran one message ~3,500 times a second). */
const SETTLE_MS = 2000;

interface Shape {
  name: string;
  /** Acceptable dead-letter reasons; empty: a valid task that must run exactly once. */
  reasons: string[];
  content: Buffer;
  properties: Options.Publish;
}

const json = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8');

/** A valid `faults.work(n, 0)` message with its headers changed by `change` and `extra` properties. */
function shape(name: string, reasons: string[], content: Buffer | undefined, change: (h: Record<string, unknown>) => void = () => undefined, extra: Options.Publish = {}): Shape {
  const id = randomUUID();
  const { body, properties } = encodeTaskMessage({ id, task: 'faults.work', args: [1, 0], origin: 'faults-hostile' });
  const headers = { ...(properties.headers as Record<string, unknown>) };
  change(headers);
  return { name, reasons, content: content ?? body, properties: { ...properties, ...extra, headers, messageId: `hostile-${name}` } };
}

/** `[[…[0]…]]`, `depth` arrays deep, as JSON text (JSON.stringify itself recurses). */
const nested = (depth: number): string => `${'['.repeat(depth)}0${']'.repeat(depth)}`;

function shapes(): Shape[] {
  const manyKeys: Record<string, unknown> = {};
  // 5000 keys (~55 KB) stay under amqplib's 64 KB header encoder, which this test's raw publisher
  // uses; larger tables come from py-amqp in poison-messages.e2e-spec.ts.
  for (let i = 0; i < 5_000; i++) manyKeys[`k${i}`] = i;
  return [
    // header keys and types
    shape('key-empty', [], undefined, (h) => (h[''] = 'empty key')),
    shape('key-255-bytes', [], undefined, (h) => (h['k'.repeat(255)] = 1)),
    shape('key-unicode', [], undefined, (h) => (h['ключ-鍵-🔑'] = 'v')),
    shape('key-proto', [], undefined, (h) => Object.defineProperty(h, '__proto__', { value: { polluted: true }, enumerable: true })),
    shape('5k-header-keys-unregistered', ['not-registered'], undefined, (h) => Object.assign(h, manyKeys, { task: 'faults.nope' })),
    shape('id-bytes', ['missing-header'], undefined, (h) => (h.id = Buffer.from('not a string id'))),
    shape('task-bytes', ['unknown-message'], undefined, (h) => (h.task = Buffer.from('faults.work'))),
    shape('eta-epoch-seconds', [], undefined, (h) => (h.eta = 1_700_000_000)),
    shape('eta-boolean', ['bad-time'], undefined, (h) => (h.eta = true)),
    shape('retries-float', ['bad-header'], undefined, (h) => (h.retries = 1.5)),
    // properties
    shape('content-type-charset', ['content-type'], undefined, undefined, { contentType: 'application/json; charset=utf-8' }),
    shape('utf16-body', ['content-encoding'], Buffer.from(JSON.stringify([[1, 0], {}, {}]), 'utf16le'), undefined, { contentEncoding: 'utf-16' }),
    shape('reply-to-nowhere-255', [], undefined, undefined, { replyTo: 'q'.repeat(255), correlationId: 'c'.repeat(255) }),
    shape('priority-255-transient', [], undefined, undefined, { priority: 255, deliveryMode: 1 }),
    shape('no-content-type', [], undefined, undefined, { contentType: undefined, contentEncoding: undefined }),
    // bodies and encodings
    shape('utf8-bom', ['not-json'], Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), json([[1, 0], {}, {}])])),
    shape('body-null', ['body-shape'], json(null)),
    shape('body-nulls', ['body-shape'], json([null, null, null])),
    shape('nan-argument', [], Buffer.from('[[NaN, 0], {}, {}]')),
    shape('lone-surrogate-argument', [], Buffer.from('[["\\ud800", 0], {}, {}]')),
    shape('args-nested-5000', [], Buffer.from(`[[${nested(5000)}, 0], {}, {}]`)),
    shape('body-16mib-not-a-task', ['unknown-message'], json({ pad: 'x'.repeat(16 * 1024 * 1024) }), (h) => delete h.task),
    shape('zero-bytes-no-properties', ['not-json'], Buffer.alloc(0), (h) => Object.keys(h).forEach((k) => delete h[k]), { contentType: undefined, contentEncoding: undefined }),
  ];
}

const sig = (task: string, args: unknown[], options: Record<string, unknown> = {}): SignatureDict => ({ task, args, kwargs: {}, options, subtask_type: null, immutable: false });

/** Follow-ups no broker takes: each task with one must still run its body exactly once. */
const UNSENDABLE: Array<{ name: string; embed: { callbacks?: SignatureDict[]; chain?: SignatureDict[] } }> = [
  { name: 'callback-priority-999', embed: { callbacks: [sig('faults.work', [0, 0], { priority: 999 })] } },
  { name: 'chain-step-empty-name', embed: { chain: [sig('', [], { queue: `${QUEUE}.stray` })] } },
  { name: 'callback-task-id-42', embed: { callbacks: [sig('faults.work', [0, 0], { task_id: 42 })] } },
  { name: 'callback-missing-exchange', embed: { callbacks: [sig('faults.work', [0, 0], { exchange: `${QUEUE}.missing`, routing_key: 'x' })] } },
];

describe('fault: hostile messages under load', () => {
  let vhost: FaultVhost;
  let dir: string;
  let execLog: string;
  let worker: FaultWorker | undefined;
  let publisher: TaskPublisher;

  beforeAll(async () => {
    vhost = await faultVhost('hostile');
    await deleteQueues(vhost.url, QUEUE, DLQ);
    dir = mkdtempSync(join(tmpdir(), 'faults-hostile-'));
    execLog = join(dir, 'executions.log');
    publisher = await TaskPublisher.open(vhost.url);
    await publisher.declareQueue(QUEUE);
    worker = await startFaultWorker({ url: vhost.url, queue: QUEUE, execLog, dlx: DLX, concurrency: 8 });
  }, 120_000);

  afterAll(async () => {
    await publisher?.close();
    await worker?.kill('SIGKILL');
    await deleteQueues(vhost.url, QUEUE, DLQ).catch(() => undefined);
    await deleteExchanges(vhost.url, QUEUE, DLX).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  const refusalLines = () => worker!.log.split('\n').filter((line) => /Received (invalid|unregistered) task/.test(line));

  it('dead-letters each refused shape once with its reason, runs every valid one once, loses nothing', async () => {
    const rssBefore = worker!.rssKb();
    const refusalsBefore = refusalLines().length;
    const list = shapes();
    const stream = publisher.stream(QUEUE, VALID_TASKS, 150, 5);
    for (const poison of list) {
      void publisher.publishRaw('', QUEUE, poison.content, poison.properties as Options.Publish & { messageId: string });
      await pause(50);
    }
    const ids = await stream;
    await publisher.settled();

    const refused = list.filter((s) => s.reasons.length > 0);
    const tolerated = list.filter((s) => s.reasons.length === 0);
    const dead = new DeadLetterCollector(vhost.url, DLQ);
    const idOf = (s: Shape) => s.properties.messageId!;
    await eventually(async () => (await dead.poll()) >= refused.length, 60_000, 'the dead letters', () =>
      `${dead.letters.size}/${refused.length}, missing ${refused.filter((s) => !dead.letters.has(idOf(s))).map((s) => s.name).join(', ')}; worker log tail:\n${worker!.log.slice(-1500)}`,
    );
    // the tolerated ones are valid tasks: their id is the task id in their headers
    const taskIdOf = (s: Shape) => String((s.properties.headers as Record<string, unknown>).id);
    await eventually(() => [...ids, ...tolerated.map(taskIdOf)].every((id) => readExecutions(execLog).ended.has(id)), 60_000, 'every valid task to run');
    await pause(SETTLE_MS);
    await dead.poll();

    const executions = readExecutions(execLog);
    const valid = [...ids, ...tolerated.map(taskIdOf)];
    const figures = countFigures(valid.length + refused.length, valid.filter((id) => publisher.account.confirmed.has(id) || tolerated.some((s) => taskIdOf(s) === id)), executions, {
      reasons: dead.reasons(),
    });
    const lines = refusalLines().slice(refusalsBefore);
    reportFigures('hostile messages under load', {
      ...figures,
      rssBeforeKb: rssBefore,
      rssAfterKb: worker!.rssKb(),
      extra: { shapes: list.length, refusedShapes: refused.length, refusalLogLines: lines.length, longestLogLine: Math.max(0, ...worker!.log.split('\n').map((l) => Buffer.byteLength(l))) },
    });

    expect(list.every((s) => publisher.account.confirmed.has(idOf(s)))).toBe(true);
    for (const poison of refused) {
      const letters = dead.letters.get(idOf(poison)) ?? [];
      expect({ name: poison.name, count: letters.length }).toEqual({ name: poison.name, count: 1 });
      expect({ name: poison.name, reason: poison.reasons.includes(letters[0]!.reason ?? '?') ? 'expected' : letters[0]!.reason }).toEqual({ name: poison.name, reason: 'expected' });
      expect(letters[0]!.detailLength).toBeLessThanOrEqual(DETAIL_LIMIT);
    }
    for (const poison of tolerated) expect({ name: poison.name, dead: dead.letters.has(idOf(poison)) }).toEqual({ name: poison.name, dead: false });
    expect(dead.letters.size).toBe(refused.length);
    expect(lines).toHaveLength(refused.length);
    const longLines = worker!.log.split('\n').filter((line) => Buffer.byteLength(line) > LOG_LINE_LIMIT);
    expect(longLines.map((line) => `${Buffer.byteLength(line)} B: ${line.slice(0, 200)}`)).toEqual([]);
    expect(figures.lost).toBe(0);
    expect(figures.executedTwice).toBe(0);
    expect(await queueDepth(vhost.url, QUEUE)).toBe(0);
    expect(worker!.log).not.toMatch(/lost; reconnecting/);
    expect(worker!.alive).toBe(true);
  }, 180_000);

  it('runs each task whose follow-up cannot be published exactly once, beside a stream that loses nothing', async () => {
    const rssBefore = worker!.rssKb();
    const stream = publisher.stream(QUEUE, VALID_TASKS, 150, 5);
    const unsendable: string[] = [];
    for (let i = 0; i < 100; i++) {
      const { embed } = UNSENDABLE[i % UNSENDABLE.length]!;
      unsendable.push(publisher.publishTask(QUEUE, 'faults.work', [i, 0], { embed }));
      await pause(10);
    }
    const ids = await stream;
    await publisher.settled();
    const all = [...ids, ...unsendable];
    await eventually(() => all.every((id) => readExecutions(execLog).ended.has(id)), 60_000, 'every task to run', () => `${all.filter((id) => readExecutions(execLog).ended.has(id)).length}/${all.length}`);
    await pause(SETTLE_MS);

    const executions = readExecutions(execLog);
    const figures = countFigures(all.length, all.filter((id) => publisher.account.confirmed.has(id)), executions);
    const maxRuns = Math.max(...unsendable.map((id) => executions.ended.get(id) ?? 0));
    reportFigures('follow-ups that cannot be published', {
      ...figures,
      rssBeforeKb: rssBefore,
      rssAfterKb: worker!.rssKb(),
      extra: { withUnsendableFollowUp: unsendable.length, mostRunsOfOne: maxRuns, queueDepthAfter: await queueDepth(vhost.url, QUEUE) },
    });

    expect(figures.confirmed).toBe(all.length);
    expect(figures.lost).toBe(0);
    expect(figures.executedTwice).toBe(0);
    expect(await queueDepth(vhost.url, QUEUE)).toBe(0);
    expect(worker!.alive).toBe(true);
  }, 180_000);
});
