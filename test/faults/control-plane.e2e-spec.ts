/**
 * Fault injection: the remote-control plane is flooded (thousands of broadcasts, malformed and
 * oversized requests, revoke storms) and addressed with hostile destinations (globs of many
 * stars, kilobyte patterns, backtracking `pcre` patterns, huge destination lists) while a stream
 * of tasks runs. The worker keeps running every task once, answers a ping afterwards, and lives.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readExecutions } from '../support/execution-log.js';
import { eventually } from '../support/eventually.js';
import { countFigures, reportFigures } from '../support/fault-figures.js';
import { faultVhost, type FaultVhost } from '../support/fault-vhost.js';
import { startFaultWorker, type FaultWorker } from '../support/fault-worker.js';
import { deleteQueues } from '../support/rabbitmq-admin.js';
import { TaskPublisher } from '../support/task-publisher.js';

const QUEUE = 'faults.control';
const PIDBOX = 'celery.pidbox';
const REPLY_EXCHANGE = 'reply.celery.pidbox';
const REPLY_KEY = 'faults-control-oid';
const REPLY_QUEUE = `${REPLY_KEY}.reply.celery.pidbox`;
const TASKS = 300;
const FLOOD = 2000;
/** A ping must come back this fast once the flood is over (Celery's default inspect timeout is 1 s; a loaded 2-core box gets more). */
const PING_DEADLINE_MS = 5000;

type Body = Record<string, unknown> | string;

/** One control request of the flood: kombu's body (`method`, `arguments`, addressing, `reply_to`). */
function request(method: string, extra: Record<string, unknown> = {}, reply = false): Body {
  return {
    method,
    arguments: {},
    destination: null,
    pattern: null,
    matcher: null,
    ...(reply ? { ticket: randomUUID(), reply_to: { exchange: REPLY_EXCHANGE, routing_key: REPLY_KEY } } : {}),
    ...extra,
  };
}

/** The hostile mix, cycled through by the flood. `answered` ones must get a reply from our worker. */
function hostile(nodeName: string): Array<{ name: string; body: Body; answered?: boolean }> {
  const stars = (n: number) => `${'*'.repeat(n)}zz`;
  return [
    { name: 'ping-broadcast', body: request('ping', {}, true), answered: true },
    { name: 'glob-40-stars', body: request('ping', { pattern: stars(40), matcher: 'glob' }, true) },
    { name: 'glob-star-runs', body: request('ping', { pattern: 'f*a*u*l*t*s*x*y*z*'.repeat(30), matcher: 'glob' }, true) },
    { name: 'glob-100k', body: request('ping', { pattern: '*?['.repeat(33_000), matcher: 'glob' }, true) },
    { name: 'pcre-backtracking', body: request('ping', { pattern: '(.*){1,32000}[!]', matcher: 'pcre' }, true) },
    { name: 'pcre-nested-quantifiers', body: request('ping', { pattern: '((f|fa|fau)+)+$x', matcher: 'pcre' }, true) },
    { name: 'pcre-invalid', body: request('ping', { pattern: '(((', matcher: 'pcre' }, true) },
    { name: 'unknown-matcher', body: request('ping', { pattern: '*', matcher: 'lua' }, true) },
    { name: 'destination-10k-names', body: request('ping', { destination: Array.from({ length: 10_000 }, (_, i) => `node${i}@x`) }, true) },
    { name: 'destination-self-in-list', body: request('ping', { destination: ['nobody@x', nodeName] }, true), answered: true },
    { name: 'destination-not-strings', body: request('ping', { destination: [1, null, { a: 1 }] }, true) },
    { name: 'revoke-storm', body: request('revoke', { arguments: { task_id: Array.from({ length: 500 }, () => randomUUID()) } }) },
    { name: 'unknown-method', body: request('format_disk', {}, true) },
    { name: 'method-not-string', body: request('ping', { method: { evil: true } }, true) },
    { name: 'arguments-list', body: request('ping', { arguments: [1, 2, 3] }, true) },
    { name: 'arguments-1mib', body: request('ping', { arguments: { pad: 'p'.repeat(1024 * 1024) } }) },
    { name: 'not-json', body: '{"method": "ping", ' },
    { name: 'json-array', body: '[1, 2, 3]' },
    { name: 'deep-json', body: `{"method":"ping","arguments":${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}}` },
    { name: 'reply-to-missing-exchange', body: request('ping', { ticket: 'x', reply_to: { exchange: 'no.such.exchange', routing_key: 'k' } }) },
  ];
}

describe('fault: control-plane floods and hostile destinations', () => {
  let vhost: FaultVhost;
  let dir: string;
  let execLog: string;
  let worker: FaultWorker | undefined;
  let publisher: TaskPublisher;

  beforeAll(async () => {
    vhost = await faultVhost('control');
    await deleteQueues(vhost.url, QUEUE, REPLY_QUEUE);
    dir = mkdtempSync(join(tmpdir(), 'faults-control-'));
    execLog = join(dir, 'executions.log');
    publisher = await TaskPublisher.open(vhost.url);
    await publisher.declareQueue(QUEUE);
    const channel = publisher.channel;
    await channel.assertExchange(PIDBOX, 'fanout', { durable: false, autoDelete: false });
    await channel.assertExchange(REPLY_EXCHANGE, 'direct', { durable: false, autoDelete: false });
    await channel.assertQueue(REPLY_QUEUE, { durable: false, autoDelete: false });
    await channel.bindQueue(REPLY_QUEUE, REPLY_EXCHANGE, REPLY_KEY);
  }, 60_000);

  afterAll(async () => {
    await publisher?.close();
    await worker?.kill('SIGKILL');
    await deleteQueues(vhost.url, QUEUE, REPLY_QUEUE).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  /** Replies taken off our reply queue so far, by their `ticket` header. */
  const replies = new Map<string, unknown[]>();
  async function takeReplies(): Promise<void> {
    for (;;) {
      const message = await publisher.channel.get(REPLY_QUEUE, { noAck: true });
      if (!message) return;
      const ticket = String(message.properties.headers?.ticket);
      replies.set(ticket, [...(replies.get(ticket) ?? []), JSON.parse(message.content.toString('utf8'))]);
    }
  }

  it('keeps running every task once and answers a ping after the flood', async () => {
    worker = await startFaultWorker({ url: vhost.url, queue: QUEUE, execLog, concurrency: 8 });
    const rssBefore = worker.rssKb();
    const kinds = hostile(worker.nodeName);
    const tasks = publisher.stream(QUEUE, TASKS, 100, 5);
    /** ticket -> kind, for the requests our worker must answer */
    const mustAnswer = new Map<string, string>();
    const started = Date.now();
    for (let i = 0; i < FLOOD; i++) {
      const kind = kinds[i % kinds.length]!;
      let body = kind.body;
      if (typeof body !== 'string' && body.reply_to) {
        body = { ...body, ticket: randomUUID() };
        if (kind.answered) mustAnswer.set(body.ticket as string, kind.name);
      }
      const content = Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
      void publisher.publishRaw(PIDBOX, '', content, { messageId: `control-${i}`, contentType: 'application/json', contentEncoding: 'utf-8', mandatory: false });
      if (i % 100 === 99) await publisher.settled();
    }
    const ids = await tasks;
    await publisher.settled();
    const floodMs = Date.now() - started;

    await eventually(() => ids.every((id) => readExecutions(execLog).ended.has(id)), 60_000, 'every task to run', () => `${ids.filter((id) => readExecutions(execLog).ended.has(id)).length}/${ids.length}`);
    const tasksDoneMs = Date.now() - started;

    // every request addressed to this worker was answered, once
    await eventually(async () => {
      await takeReplies();
      return [...mustAnswer.keys()].every((ticket) => replies.has(ticket));
    }, 60_000, 'the replies to the flood', () => `${[...mustAnswer.keys()].filter((ticket) => replies.has(ticket)).length}/${mustAnswer.size}`);
    const answeredTwice = [...mustAnswer.keys()].filter((ticket) => replies.get(ticket)!.length > 1).length;

    // then a fresh ping is answered in time
    const ticket = randomUUID();
    const pingAt = Date.now();
    await publisher.publishRaw(PIDBOX, '', Buffer.from(JSON.stringify({ ...(request('ping', { destination: [worker.nodeName] }, true) as Record<string, unknown>), ticket })), {
      messageId: 'final-ping',
      correlationId: ticket,
      contentType: 'application/json',
      contentEncoding: 'utf-8',
      mandatory: false,
    });
    await eventually(async () => {
      await takeReplies();
      return replies.has(ticket);
    }, PING_DEADLINE_MS, 'the ping after the flood');
    const pong = replies.get(ticket)![0];
    const pingMs = Date.now() - pingAt;

    const executions = readExecutions(execLog);
    const figures = countFigures(ids.length, ids.filter((id) => publisher.account.confirmed.has(id)), executions);
    reportFigures('control-plane flood', {
      ...figures,
      rssBeforeKb: rssBefore,
      rssAfterKb: worker.rssKb(),
      extra: { controlMessages: FLOOD, kinds: kinds.length, answered: mustAnswer.size, answeredTwice, floodMs, tasksDoneMs, pingAfterMs: pingMs },
    });

    expect(pong).toEqual({ [worker.nodeName]: { ok: 'pong' } });
    expect(answeredTwice).toBe(0);
    expect(figures.confirmed).toBe(TASKS);
    expect(figures.lost).toBe(0);
    expect(figures.executedTwice).toBe(0);
    expect(worker.alive).toBe(true);
    expect(worker.log).not.toMatch(/lost; reconnecting/);
    // no log line of unbounded size came out of the hostile requests
    const longLines = worker.log.split('\n').filter((line) => Buffer.byteLength(line) > 4096);
    expect(longLines.map((line) => `${Buffer.byteLength(line)} B: ${line.slice(0, 300)}`)).toEqual([]);
  }, 180_000);
});
