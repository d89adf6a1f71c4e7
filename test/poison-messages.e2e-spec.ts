/**
 * Poison messages: malformed task messages published with raw amqplib must not crash the Nest
 * worker (a Python 5.2.6 worker dies on some of them, wire spec §1.3/§5.6/§8). Each one is
 * dead-lettered once with a reason header and one log line, and Python clients keep working.
 * Also: Python (kombu/py-amqp 5.1.1) reads the integer headers our CeleryClient writes exactly.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Options } from 'amqplib';
import { amqplib, CeleryClient, encodeTaskMessage, toPyAmqpTable } from 'nestjs-celery';
import { BROKER_URL } from './support/broker-url.js';
import type { ManagedProcess } from './support/child-process.js';
import { startInteropWorker } from './support/interop-worker.js';
import { runPython } from './support/python.js';
import { deleteQueues, queueDepth, deleteExchanges } from './support/rabbitmq-admin.js';

/** Bounds the worker keeps (libs/nestjs-celery/src/runtime/bounded-line.ts). */
const DETAIL_LIMIT = 1024;
const LOG_LINE_LIMIT = 2048;

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
  }, 60_000);

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

/** A poison for the child-process sweep: `reasons` lists the acceptable reason codes. */
interface AmqpPoison {
  name: string;
  reasons: string[];
  content: Buffer;
  properties: Options.Publish;
  /** The headers untyped, for poisons whose headers exceed the 64 KB amqplib encodes (sent by py-amqp). */
  plainHeaders: Record<string, unknown>;
}

/** More headers than amqplib's 64 KB encoding buffer holds: py-amqp publishes those poisons. */
const AMQPLIB_HEADERS_LIMIT = 65_536;

const BIG = 'b'.repeat(100_000);
const HUGE_ETA = `2020-${'9'.repeat(49_000)}`;
const FRAME_FILLER = 'f'.repeat(125_100);

/** Valid v2 properties for `task` with `change` applied to its headers and `extra` properties. */
function amqpPoison(
  name: string,
  reasons: string[],
  content: Buffer,
  change: (headers: Record<string, unknown>) => void = () => undefined,
  extra: Options.Publish = {},
): AmqpPoison {
  const { headers, properties } = validV2();
  change(headers);
  return { name, reasons, content, properties: { ...properties, ...extra, headers: toPyAmqpTable(headers) }, plainHeaders: headers };
}

/** `poison` published by py-amqp (for headers larger than amqplib encodes): its text body, headers and properties. */
function pyAmqpMessage(poison: AmqpPoison): Record<string, unknown> {
  const { contentType, contentEncoding, correlationId, deliveryMode } = poison.properties;
  const properties = { content_type: contentType, content_encoding: contentEncoding, correlation_id: correlationId, delivery_mode: deliveryMode, message_id: `poison-${poison.name}` };
  return { body: poison.content.toString('utf8'), headers: poison.plainHeaders, properties: Object.fromEntries(Object.entries(properties).filter(([, v]) => v !== undefined)) };
}

/** Every AMQP field type amqplib can write, for headers that must survive dead-lettering. */
const EVERY_TYPE: Record<string, unknown> = {
  bytes: Buffer.from([0, 1, 2, 255]),
  stamp: { '!': 'timestamp', value: 1_700_000_000 },
  money: { '!': 'decimal', value: { places: 2, digits: 12345 } },
  nothing: null,
  deep: [[1, ['x', [true, null]]], { in: [2.5] }],
  small: { '!': 'int8', value: -3 },
  short: { '!': 'int16', value: 300 },
  float: { '!': 'float', value: 0.5 },
  unsigned: { '!': 'uint32', value: 4_000_000_000 },
};

/** Bad messages of every AMQP-level shape the worker must refuse once each, then go on. */
function amqpPoisons(): AmqpPoison[] {
  const body = json([[1, 2], {}, EMBED]);
  return [
    amqpPoison('big-headers-unregistered', ['not-registered'], body, (h) => Object.assign(h, { task: 'interop.nope', big: BIG })),
    amqpPoison('big-headers-not-json', ['not-json'], Buffer.from('{nope'), (h) => (h.big = BIG)),
    // ~130.5 KB of headers fit one 128 KiB frame as sent, not with the ~1.3 KB of reason headers
    // added (a 5 KB bad eta makes a detail of the full 1 KB): dead-lettered without them
    amqpPoison('headers-filling-the-frame', ['bad-time'], body, (h) => Object.assign(h, { big: FRAME_FILLER, eta: `2020-${'9'.repeat(5000)}` })),
    amqpPoison('huge-bad-eta', ['bad-time'], body, (h) => (h.eta = HUGE_ETA)),
    amqpPoison('invalid-utf8', ['not-json'], Buffer.concat([Buffer.from('[["caf'), Buffer.from([0xe9, 0xff]), Buffer.from('"], {}, {}]')])),
    amqpPoison('gzip-encoding', ['content-encoding'], gzipSync(body), undefined, { contentEncoding: 'gzip' }),
    amqpPoison('kombu-compression', ['not-json'], gzipSync(body), (h) => (h.compression = 'application/x-gzip')),
    amqpPoison('binary-garbage', ['not-json'], randomBytes(4096), undefined, { contentEncoding: 'binary' }),
    amqpPoison('unknown-encoding', ['content-encoding'], body, undefined, { contentEncoding: 'x-rot13' }),
    amqpPoison('text-plain', ['content-type'], body, undefined, { contentType: 'text/plain' }),
    amqpPoison('empty-body', ['not-json'], Buffer.alloc(0)),
    amqpPoison('kwargs-not-dict', ['body-shape'], json([[1, 2], [3], EMBED])),
    amqpPoison('embed-string', ['body-shape'], json([[1, 2], {}, 'embed'])),
    amqpPoison('callbacks-not-list', ['body-shape'], json([[1, 2], {}, { ...EMBED, callbacks: 'interop.add' }])),
    amqpPoison('json-nested-100k', ['not-json', 'body-shape'], Buffer.from(`${'['.repeat(100_000)}${']'.repeat(100_000)}`)),
    amqpPoison('id-number', ['missing-header'], body, (h) => (h.id = 42)),
    amqpPoison('task-table', ['unknown-message'], body, (h) => (h.task = { name: 'interop.add' })),
    amqpPoison('expires-garbage', ['bad-time'], body, (h) => (h.expires = 'soon-ish')),
    amqpPoison('eta-table', ['bad-time'], body, (h) => (h.eta = { when: 'now' })),
    amqpPoison('retries-string', ['bad-header'], body, (h) => (h.retries = 'three')),
    amqpPoison('root-id-number', ['bad-header'], body, (h) => (h.root_id = 5)),
    amqpPoison('every-type-unregistered', ['not-registered'], body, (h) => Object.assign(h, { task: 'interop.nope' }, EVERY_TYPE)),
    amqpPoison('big-body-wrong-shape', ['body-shape'], json([{ not: 'args' }, { pad: 'p'.repeat(2_000_000) }, EMBED])),
    { name: 'no-properties', reasons: ['unknown-message'], content: json({ hello: 'world' }), properties: {}, plainHeaders: {} },
  ];
}

/** Messages that look odd but are valid for Celery too: run once, never dead-lettered. */
function toleratedShapes(): AmqpPoison[] {
  const body = json([[1, 2], {}, EMBED]);
  return [
    amqpPoison('timelimit-garbage', [], body, (h) => (h.timelimit = ['soon', { x: 1 }])),
    amqpPoison('retries-negative', [], body, (h) => (h.retries = -1)),
    amqpPoison('priority-255', [], body, undefined, { priority: 255 }),
    amqpPoison('every-type-headers', [], body, (h) => Object.assign(h, EVERY_TYPE)),
  ];
}

describe('AMQP-level poison of every shape, the worker in its own process (issue 12 items 2 and 7)', () => {
  const queue = 'interop.poison-amqp';
  const dlx = `${queue}.dlx`;
  const dlq = `${dlx}.queue`;
  let worker: ManagedProcess;
  let connection: Connection;

  beforeAll(async () => {
    await deleteQueues(BROKER_URL, queue, dlq);
    worker = await startInteropWorker({ INTEROP_QUEUE: queue, INTEROP_DLX: dlx });
    connection = await amqplib.connect(BROKER_URL);
  }, 90_000);

  afterAll(async () => {
    await connection?.close().catch(() => undefined);
    await worker?.stop();
    await deleteQueues(BROKER_URL, queue, dlq);
    await deleteExchanges(BROKER_URL, queue, dlx);
  });

  it('dead-letters each exactly once with a bounded reason and log line, keeps serving, never reconnects', async () => {
    const logBefore = Buffer.byteLength(worker.log);
    // 28 KB of tables (and of arrays) nested 4000 deep, written by py-amqp: RabbitMQ routes them,
    // and a recursive decoder overflows the stack inside amqplib's frame parser.
    const deep = [
      { name: 'deep-table-4000', kind: 'table' },
      { name: 'deep-array-4000', kind: 'array' },
    ];
    const deepBytes = new Map<string, number>();
    for (const { name, kind } of deep) {
      const published = await runPython<{ ok: boolean; bytes: number }>('publish_nested_headers.py', { queue, depth: 4000, message_id: `poison-${name}`, kind });
      expect(published).toEqual({ ok: true, bytes: kind === 'table' ? 28_000 : 20_000 });
      deepBytes.set(name, published.bytes);
    }
    const bad = amqpPoisons();
    const tolerated = toleratedShapes();
    const channel = await connection.createConfirmChannel();
    const oversize = (poison: AmqpPoison) => Buffer.byteLength(JSON.stringify(poison.plainHeaders)) > AMQPLIB_HEADERS_LIMIT;
    for (const poison of [...bad, ...tolerated].filter((p) => !oversize(p))) {
      channel.sendToQueue(queue, poison.content, { ...poison.properties, messageId: `poison-${poison.name}` });
    }
    await channel.waitForConfirms();
    const big = bad.filter(oversize);
    const file = join(tmpdir(), `poison-big-headers-${randomUUID()}.json`);
    writeFileSync(file, JSON.stringify({ queue, messages: big.map(pyAmqpMessage) }));
    try {
      expect(await runPython('publish_raw.py', { file })).toEqual({ ok: true, count: 3 });
    } finally {
      rmSync(file, { force: true });
    }

    // then 5 normal tasks from the real Python client: all answered
    const sent = await runPython<{ ok: boolean; results: SendOutcome[] }>('p2n_send.py', {
      queue,
      calls: [1, 2, 3, 4, 5].map((n) => ({ task: 'interop.add', args: [n, 100] })),
    });
    expect(sent.ok).toBe(true);
    expect(sent.results.map((r) => [r.state, r.value])).toEqual([1, 2, 3, 4, 5].map((n) => ['SUCCESS', n + 100]));

    const expected = new Map<string, string[]>([
      ...deep.map(({ name }) => [`poison-${name}`, ['undecodable-headers']] as [string, string[]]),
      ...bad.map((p) => [`poison-${p.name}`, p.reasons] as [string, string[]]),
    ]);
    const dead = new Map<string, { headers: Record<string, unknown>; content: Buffer }>();
    let duplicates = 0;
    await waitUntil(
      async () => {
        for (;;) {
          const message = await channel.get(dlq, { noAck: true });
          if (!message) break;
          const id = String(message.properties.messageId);
          if (dead.has(id)) duplicates++;
          dead.set(id, { headers: message.properties.headers ?? {}, content: message.content });
        }
        return dead.size >= expected.size;
      },
      30_000,
      `${expected.size} dead letters`,
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    while (await channel.get(dlq, { noAck: true })) duplicates++;
    await channel.close();

    const logAdded = Buffer.byteLength(worker.log) - logBefore;
    const details = [...dead.values()].map((d) => Buffer.byteLength(String(d.headers['x-celery-rejected-detail'])));
    console.log(
      `poison sweep: ${expected.size} poisons + ${tolerated.length} tolerated sent, ${dead.size} dead-lettered, ${duplicates} duplicates; ` +
        `longest x-celery-rejected-detail ${Math.max(...details)} B; worker log +${logAdded} B`,
    );
    expect(duplicates).toBe(0);
    expect([...dead.keys()].sort()).toEqual([...expected.keys()].sort());
    for (const [id, letter] of dead) {
      const { headers } = letter;
      expect({ id, reason: expected.get(id)!.includes(String(headers['x-celery-rejected-reason'])) }).toEqual({ id, reason: true });
      expect(Buffer.byteLength(String(headers['x-celery-rejected-detail']))).toBeLessThanOrEqual(DETAIL_LIMIT);
      expect(headers['x-original-queue']).toBe(queue);
    }
    // the raw bytes of the undecodable tables travel with the dead letter
    for (const { name } of deep) {
      const headers = dead.get(`poison-${name}`)!.headers;
      expect(String(headers['x-celery-rejected-detail'])).toContain('nested deeper than 100 levels');
      expect((headers['x-celery-undecodable-headers'] as Buffer).length).toBeGreaterThan(deepBytes.get(name)!);
    }
    // headers over the 64 KB amqplib encodes (its public API is all the worker uses to publish) are
    // dead-lettered without them, with x-celery-headers-dropped saying why; every AMQP type survives
    for (const name of ['big-headers-unregistered', 'big-headers-not-json', 'headers-filling-the-frame']) {
      const headers = dead.get(`poison-${name}`)!.headers;
      expect(headers).not.toHaveProperty('big');
      expect(String(headers['x-celery-headers-dropped'])).toMatch(/^HeaderFrameTooLargeError: the message properties take more than the 65536 bytes/);
    }
    expect(dead.get('poison-huge-bad-eta')!.headers.eta).toBe(HUGE_ETA);
    expect(String(dead.get('poison-huge-bad-eta')!.headers['x-celery-rejected-detail'])).toMatch(/… \[\d+ bytes in all\]$/);
    const typed = dead.get('poison-every-type-unregistered')!.headers;
    expect(typed).toMatchObject({
      bytes: Buffer.from([0, 1, 2, 255]),
      stamp: { '!': 'timestamp', value: 1_700_000_000 },
      money: { '!': 'decimal', value: { places: 2, digits: 12345 } },
      nothing: null,
      deep: [[1, ['x', [true, null]]], { in: [2.5] }],
      small: -3,
      short: 300,
      float: 0.5,
      unsigned: 4_000_000_000,
    });
    for (const poison of bad) expect(dead.get(`poison-${poison.name}`)!.content.equals(poison.content)).toBe(true);

    // one bounded line per refused message, nothing else worth a kilobyte, no reconnect
    const refusalLines = worker.log.split('\n').filter((line) => /Received (invalid|unregistered) task/.test(line));
    expect(refusalLines).toHaveLength(expected.size);
    for (const line of worker.log.split('\n')) expect(Buffer.byteLength(line)).toBeLessThanOrEqual(LOG_LINE_LIMIT + 200);
    expect(logAdded).toBeLessThan(expected.size * (LOG_LINE_LIMIT + 200));
    expect(worker.log).not.toMatch(/lost; reconnecting|connection error|dead-lettering failed/);
    expect(await queueDepth(BROKER_URL, queue)).toBe(0);
    expect(worker.child.exitCode).toBeNull();
    expect(worker.child.signalCode).toBeNull();
  }, 180_000);
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
