/**
 * Poison messages: malformed task messages published with raw amqplib must not crash the Nest
 * worker (a Python 5.2.6 worker dies on some of them, wire spec §1.3/§5.6/§8). Each one is
 * dead-lettered once with a reason header and one log line, and Python clients keep working.
 * Also: Python (kombu/py-amqp 5.1.1) reads the integer headers our CeleryClient writes exactly.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Options } from 'amqplib';
import { amqplib, CeleryClient, encodeTaskMessage, toPyAmqpTable } from 'nestjs-celery';
import { BROKER_URL } from './support/broker-url.js';
import type { ManagedProcess } from './support/child-process.js';
import { startInteropWorker } from './support/interop-worker.js';
import { runPython } from './support/python.js';
import { deleteQueues, queueDepth, deleteExchanges } from './support/rabbitmq-admin.js';

const QUEUE = 'interop.poison';
const DLX = 'interop.poison.dlx';
const DLQ = `${DLX}.queue`;
const HEADERS_QUEUE = 'p2n.headers';
const INVALID_LINE = 'Received invalid task message';

type Connection = Awaited<ReturnType<typeof amqplib.connect>>;

interface Poison {
  name: string;
  /** the `x-celery-rejected-reason` expected on the dead letter */
  reason: string;
  content: Buffer;
  properties: Options.Publish;
}

interface SendOutcome {
  id: string;
  value?: unknown;
  error?: { type: string; module: string; args: unknown[] };
  state: string;
}

/** Valid protocol v2 headers/properties (as Python writes them) for interop.add(1, 2). */
function validV2(): { id: string; headers: Record<string, unknown>; properties: Options.Publish } {
  const id = randomUUID();
  const { properties } = encodeTaskMessage({ id, task: 'interop.add', args: [1, 2], origin: 'poison-test' });
  const { headers, ...rest } = properties;
  return { id, headers, properties: rest };
}

const EMBED = { callbacks: null, errbacks: null, chain: null, chord: null };
const json = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8');

function v2Poison(
  name: string,
  reason: string,
  content: Buffer,
  change: (headers: Record<string, unknown>) => void = () => undefined,
  extra: Options.Publish = {},
): Poison {
  const { headers, properties } = validV2();
  change(headers);
  return { name, reason, content, properties: { ...properties, ...extra, headers: toPyAmqpTable(headers) } };
}

/** The bad messages, each with the reason code the worker must give. */
function poisons(): Poison[] {
  return [
    v2Poison('not-json', 'not-json', Buffer.from('{"this is": not json at all', 'utf8')),
    // pickle of (1, 2): a Python worker refuses it too ("Refusing to deserialize untrusted content of type pickle")
    v2Poison('pickle', 'content-type', Buffer.from('80049509000000000000004b014b0286942e', 'hex'), undefined, {
      contentType: 'application/x-python-serialize',
      contentEncoding: 'binary',
    }),
    // kills a Python 5.2.6 worker (ValueError: not enough values to unpack)
    v2Poison('two-element-body', 'body-shape', json([[1, 2], {}])),
    v2Poison('body-not-array', 'body-shape', json('just a string')),
    v2Poison('missing-id', 'missing-header', json([[1, 2], {}, EMBED]), (h) => delete h.id),
    {
      name: 'no-task-header',
      reason: 'unknown-message',
      content: json({ hello: 'world', args: [1, 2] }),
      properties: { contentType: 'application/json', contentEncoding: 'utf-8', headers: {} },
    },
    v2Poison('bad-eta', 'bad-time', json([[1, 2], {}, EMBED]), (h) => (h.eta = 'not-a-date')),
    v2Poison('args-not-array', 'body-shape', json([{ x: 1, y: 2 }, {}, EMBED])),
    {
      // 8 MiB of random bytes with no properties at all: read as JSON (the default) and refused
      name: 'huge-garbage',
      reason: 'not-json',
      content: randomBytes(8 * 1024 * 1024),
      properties: {},
    },
  ];
}


async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function invalidLines(log: string): string[] {
  return log.split('\n').filter((line) => line.includes(INVALID_LINE));
}

describe('poison messages on the Nest worker (with dead-lettering)', () => {
  let worker: ManagedProcess;
  let connection: Connection;

  beforeAll(async () => {
    await deleteQueues(BROKER_URL, QUEUE, DLQ, HEADERS_QUEUE);
    worker = await startInteropWorker({ INTEROP_QUEUE: QUEUE, INTEROP_DLX: DLX });
    connection = await amqplib.connect(BROKER_URL);
  }, 90_000);

  afterAll(async () => {
    await connection?.close().catch(() => undefined);
    await worker?.stop();
    await deleteQueues(BROKER_URL, QUEUE, DLQ, HEADERS_QUEUE);
    await deleteExchanges(BROKER_URL, QUEUE, DLX, HEADERS_QUEUE);
  });

  it('dead-letters every malformed message with its reason, logs one line each, stays alive and still runs a valid task', async () => {
    const bad = poisons();
    const channel = await connection.createConfirmChannel();
    for (const poison of bad) {
      channel.sendToQueue(QUEUE, poison.content, { ...poison.properties, messageId: `poison-${poison.name}` });
    }
    await channel.waitForConfirms();

    // then a normal task from the real Python client, on the same queue
    const sent = await runPython<{ ok: boolean; results: SendOutcome[] }>('p2n_send.py', {
      queue: QUEUE,
      calls: [{ task: 'interop.add', args: [20, 22] }],
    });
    expect(sent.ok).toBe(true);
    expect(sent.results[0]).toMatchObject({ value: 42, state: 'SUCCESS' });

    // every bad message arrives once in the dead-letter queue, unchanged, with the reason headers
    const dead = new Map<string, { reason: unknown; headers: Record<string, unknown>; content: Buffer }>();
    await waitUntil(
      async () => {
        for (;;) {
          const message = await channel.get(DLQ, { noAck: true });
          if (!message) break;
          const id = String(message.properties.messageId);
          if (dead.has(id)) throw new Error(`${id} was dead-lettered twice`);
          dead.set(id, {
            reason: message.properties.headers?.['x-celery-rejected-reason'],
            headers: message.properties.headers ?? {},
            content: message.content,
          });
        }
        return dead.size >= bad.length;
      },
      20_000,
      `${bad.length} dead letters (got ${dead.size})`,
    );
    await channel.close();
    expect([...dead.keys()].sort()).toEqual(bad.map((p) => `poison-${p.name}`).sort());
    for (const poison of bad) {
      const letter = dead.get(`poison-${poison.name}`)!;
      expect({ name: poison.name, reason: letter.reason }).toEqual({ name: poison.name, reason: poison.reason });
      expect(letter.headers).toMatchObject({ 'x-original-queue': QUEUE, 'x-celery-rejected-detail': expect.any(String) });
      expect(letter.content.equals(poison.content)).toBe(true);
    }

    // exactly one "Received invalid task message" line per bad message, naming its reason
    await waitUntil(() => invalidLines(worker.log).length >= bad.length, 5_000, 'the log lines');
    await new Promise((resolve) => setTimeout(resolve, 300));
    const lines = invalidLines(worker.log);
    expect(lines).toHaveLength(bad.length);
    const loggedReasons = lines.map((line) => /on 'interop\.poison' \(([a-z-]+)\)/.exec(line)?.[1]).sort();
    expect(loggedReasons).toEqual(bad.map((p) => p.reason).sort());

    // nothing requeued, nothing stuck, worker alive
    expect(await queueDepth(BROKER_URL, QUEUE)).toBe(0);
    expect(await queueDepth(BROKER_URL, DLQ)).toBe(0);
    expect(worker.child.exitCode).toBeNull();
    expect(worker.child.signalCode).toBeNull();
  });

  it('a Python Celery 5.2.6 client can still call the worker after all that', async () => {
    const sent = await runPython<{ ok: boolean; results: SendOutcome[] }>('p2n_send.py', {
      queue: QUEUE,
      calls: [
        { task: 'interop.add', args: [1, 2] },
        { task: 'interop.echo', args: ['é', '日本語', '😀'], kwargs: { k: 1 } },
        { task: 'interop.fail', args: ['still failing properly'] },
        { task: 'interop.mul', kwargs: { x: 6, y: 7 } },
      ],
    });
    expect(sent.ok).toBe(true);
    expect(sent.results[0]).toMatchObject({ value: 3, state: 'SUCCESS' });
    expect(sent.results[1]).toMatchObject({ value: { args: ['é', '日本語', '😀'], kwargs: { k: 1 } }, state: 'SUCCESS' });
    expect(sent.results[2]).toMatchObject({ state: 'FAILURE', error: { type: 'ValueError', module: 'builtins', args: ['still failing properly'] } });
    expect(sent.results[3]).toMatchObject({ value: 42, state: 'SUCCESS' });
    expect(invalidLines(worker.log)).toHaveLength(poisons().length);
    expect(worker.child.exitCode).toBeNull();
  });
});

describe('Python (kombu / py-amqp 5.1.1) reads the headers CeleryClient writes', () => {
  beforeAll(async () => {
    await deleteQueues(BROKER_URL, HEADERS_QUEUE);
  });

  afterAll(async () => {
    await deleteQueues(BROKER_URL, HEADERS_QUEUE);
    await deleteExchanges(BROKER_URL, HEADERS_QUEUE);
  });

  it('integers come back exactly: no short-string (s) or unsigned-byte (b) misreading', async () => {
    // 'full' so that every Celery header Python writes is checked too (compact writes a subset of them)
    const client = new CeleryClient({ brokerUrl: BROKER_URL, wireHeaders: 'full' });
    let taskId: string;
    let replyQueue: string | undefined;
    try {
      const result = await client.sendTask('x.y', [300, 60], {}, {
        queue: HEADERS_QUEUE,
        timeLimit: 300,
        softTimeLimit: 60,
        headers: { small: 7, neg: -5, big: 2 ** 40, bigneg: -(2 ** 40), nested: { a: [1, 300, 70000] }, flag: true, text: 'é' },
      });
      taskId = result.id;
      replyQueue = client.replyQueue;
    } finally {
      await client.close();
    }

    interface Read {
      ok: boolean;
      error?: string;
      headers: Record<string, unknown>;
      types: Record<string, unknown>;
      properties: Record<string, unknown>;
      body: unknown;
    }
    const read = await runPython<Read>('p2n_headers.py', { queue: HEADERS_QUEUE, timeout: 10 });
    expect(read.error).toBeUndefined();
    expect(read.ok).toBe(true);
    const { headers, types } = read;
    expect(headers).toMatchObject({
      lang: 'py',
      task: 'x.y',
      id: taskId!,
      root_id: taskId!,
      parent_id: null,
      retries: 0,
      timelimit: [300, 60],
      group_index: null,
      ignore_result: false,
      argsrepr: '(300, 60)',
      kwargsrepr: '{}',
      small: 7,
      neg: -5,
      big: 2 ** 40,
      // by design a double (py-amqp reads the int64 tag `l` as unsigned): equal value, Python float
      bigneg: -(2 ** 40),
      nested: { a: [1, 300, 70000] },
      flag: true,
      text: 'é',
    });
    // real Python ints (a misread `s` tag would give str, a misread `b` an unsigned value)
    expect(types).toMatchObject({
      retries: 'int',
      timelimit: ['int', 'int'],
      small: 'int',
      neg: 'int',
      big: 'int',
      nested: { a: ['int', 'int', 'int'] },
      flag: 'bool',
      ignore_result: 'bool',
    });
    expect(read.properties).toMatchObject({
      content_type: 'application/json',
      content_encoding: 'utf-8',
      correlation_id: taskId!,
      delivery_mode: 2,
      reply_to: replyQueue,
    });
    expect(read.body).toEqual([[300, 60], {}, EMBED]);
  });
});
