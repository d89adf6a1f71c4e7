/**
 * Nest client -> real Python Celery 5.2.6 worker (test/python/pyworker_app.py) over RabbitMQ.
 * Every task here is executed by Python; results come back over rpc://.
 */
import {
  CeleryClient,
  CeleryInvalidCallError,
  CeleryNotRegisteredError,
  CeleryRemoteError,
  CeleryTaskRevokedError,
  CeleryTimeoutError,
  defineTask,
  type ResultMessage,
} from 'nestjs-celery';
import { BROKER_URL } from './support/broker-url.js';
import { celeryRelease, isCelery55 } from './support/celery-version.js';
import type { ContextInfo, HeadersInfo } from './support/pyworker-results.js';
import type { ManagedProcess } from './support/child-process.js';
import { runPython, startPythonWorker } from './support/python.js';
import { deleteQueues, queueDepth } from './support/rabbitmq-admin.js';

const QUEUE = 'pyinterop';
/** Queues nobody consumes: they let a test count what was (not) published. */
const IDLE_QUEUE = 'n2p.idle';
const INVALID_QUEUE = 'n2p.invalid';

let worker: ManagedProcess;
let client: CeleryClient;

async function expectRejection<E extends Error>(promise: Promise<unknown>, type: new (...args: any[]) => E): Promise<E> {
  const error = await promise.then(
    (value) => {
      throw new Error(`expected ${type.name}, got value ${JSON.stringify(value)}`);
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(type);
  return error as E;
}

beforeAll(async () => {
  await deleteQueues(BROKER_URL, QUEUE, IDLE_QUEUE, INVALID_QUEUE);
  worker = await startPythonWorker('pyworker_app', [QUEUE]);
  client = new CeleryClient({ brokerUrl: BROKER_URL, defaultQueue: QUEUE });
  await client.connect();
}, 90_000);

afterAll(async () => {
  await client?.close();
  await worker?.stop();
  // N2P_DUMP_LOG=/path writes the Python worker's log there, for debugging.
  if (process.env.N2P_DUMP_LOG) (await import('node:fs')).writeFileSync(process.env.N2P_DUMP_LOG, worker?.log ?? '');
  await deleteQueues(BROKER_URL, IDLE_QUEUE, INVALID_QUEUE).catch(() => undefined);
});

describe(`Nest CeleryClient -> Python Celery ${celeryRelease()} worker`, () => {
  describe('results', () => {
    it('add / mul / xsum return Python results', async () => {
      const add = await client.sendTask<number>('pyinterop.add', [2, 3]);
      const mul = await client.sendTask<number>('pyinterop.mul', [6, 7]);
      const values = Array.from({ length: 10_000 }, (_, i) => i);
      const xsum = await client.sendTask<number>('pyinterop.xsum', [values]);
      await expect(add.get({ timeout: 10_000 })).resolves.toBe(5);
      await expect(mul.get({ timeout: 10_000 })).resolves.toBe(42);
      await expect(xsum.get({ timeout: 10_000 })).resolves.toBe(49_995_000);
      expect(add.state).toBe('SUCCESS');
      expect(add.ready()).toBe(true);
    });

    it('binds kwargs to Python parameters; floats and large ints survive', async () => {
      const r = await client.sendTask<number>('pyinterop.add', [], { x: 2, y: 40 });
      await expect(r.get({ timeout: 10_000 })).resolves.toBe(42);
      const mixed = await client.sendTask<number>('pyinterop.add', [0.5], { y: 2 ** 40 });
      await expect(mixed.get({ timeout: 10_000 })).resolves.toBe(2 ** 40 + 0.5);
      const big = await client.sendTask<number>('pyinterop.mul', [2 ** 31, 2 ** 20]);
      await expect(big.get({ timeout: 10_000 })).resolves.toBe(2 ** 51);
    });

    it('echo round-trips args, kwargs, unicode and nested JSON', async () => {
      const args = ['héllo wörld', '日本語テキスト', '🎉🚀 emoji', null, true, 1.25, -7, [1, [2, { a: 'b' }]], {}];
      const kwargs = { 'ключ': 'значение', nested: { list: [1, 2, 3], empty: [], none: null }, 'quote"s': "it's" };
      const r = await client.sendTask<{ args: unknown[]; kwargs: Record<string, unknown> }>('pyinterop.echo', args, kwargs);
      await expect(r.get({ timeout: 10_000 })).resolves.toEqual({ args, kwargs });
    });

    it('carries a ~1 MB payload both ways', async () => {
      const big = 'x€'.repeat(210_000) + '🎉'.repeat(50_000); // ~1.04 MB of UTF-8 (1-, 3- and 4-byte chars)
      expect(Buffer.byteLength(big)).toBeGreaterThan(1_000_000);
      const r = await client.sendTask<{ args: unknown[] }>('pyinterop.echo', [big]);
      const out = await r.get({ timeout: 20_000 });
      expect(out.args[0]).toBe(big);
    });
  });

  describe('failures', () => {
    it('ValueError arrives as CeleryRemoteError with type, module, args and traceback', async () => {
      const r = await client.sendTask('pyinterop.fail', ['msg']);
      const error = await expectRejection(r.get({ timeout: 10_000 }), CeleryRemoteError);
      expect(error.excType).toBe('ValueError');
      expect(error.excModule).toBe('builtins');
      expect(error.excArgs).toEqual(['msg']);
      expect(error.excMessage).toBe('msg');
      expect(error.taskId).toBe(r.id);
      expect(typeof error.traceback).toBe('string');
      expect(error.traceback).toContain('Traceback (most recent call last)');
      expect(error.traceback).toContain('ValueError: msg');
      expect(error.traceback).toContain('pyworker_app.py');
      expect(r.state).toBe('FAILURE');
      expect(r.failed()).toBe(true);
      expect(r.error?.excType).toBe('ValueError');
    });

    it('a custom exception class keeps its defining module', async () => {
      const r = await client.sendTask('pyinterop.custom_fail', ['boom']);
      const error = await expectRejection(r.get({ timeout: 10_000 }), CeleryRemoteError);
      expect(error.excType).toBe('CustomError');
      expect(error.excModule).toBe('pyworker_app');
      expect(error.excArgs).toEqual(['boom']);
      expect(error.traceback).toContain('CustomError: boom');
    });

    it('get({ propagate: false }) returns the error instead of throwing', async () => {
      const r = await client.sendTask('pyinterop.fail', ['quiet']);
      const value = await r.get({ timeout: 10_000, propagate: false });
      expect(value).toBeInstanceOf(CeleryRemoteError);
      expect((value as CeleryRemoteError).excArgs).toEqual(['quiet']);
    });

    it('an unknown task name fails with CeleryNotRegisteredError', async () => {
      const name = 'pyinterop.no_such_task';
      const r = await client.sendTask(name, [1]);
      const error = await expectRejection(r.get({ timeout: 10_000 }), CeleryNotRegisteredError);
      expect(error).toBeInstanceOf(CeleryRemoteError);
      expect(error.excType).toBe('NotRegistered');
      expect(error.excModule).toBe('celery.exceptions');
      expect(error.excArgs).toEqual([name]);
      await worker.waitFor(`Received unregistered task of type '${name}'`, 5_000);
    });
  });

  describe('timeouts and timing', () => {
    it('get({ timeout: 300 }) rejects with CeleryTimeoutError on time; a later get() still resolves', async () => {
      const r = await client.sendTask<number>('pyinterop.sleep', [2]);
      const started = Date.now();
      const error = await expectRejection(r.get({ timeout: 300 }), CeleryTimeoutError);
      const waited = Date.now() - started;
      expect(waited).toBeGreaterThanOrEqual(290);
      expect(waited).toBeLessThan(600);
      expect(error.taskId).toBe(r.id);
      expect(error.timeoutMs).toBe(300);
      expect(r.state).toBe('PENDING');
      expect(r.ready()).toBe(false);
      await expect(r.get({ timeout: 10_000 })).resolves.toBe(2);
      expect(Date.now() - started).toBeGreaterThanOrEqual(1_900);
    });

    it('countdown: 1 -> the Python worker runs it no earlier than ~1 s later, with eta = now + 1 s', async () => {
      const sent = Date.now();
      const r = await client.sendTask<HeadersInfo>('pyinterop.headers', [], {}, { countdown: 1 });
      const info = await r.get({ timeout: 10_000 });
      expect(Date.now() - sent).toBeGreaterThanOrEqual(950);
      expect(info.eta).not.toBeNull();
      const eta = Date.parse(info.eta!);
      expect(Math.abs(eta - (sent + 1000))).toBeLessThan(500);
    });

    it('eta: Date -> held until then; Python sees the same instant', async () => {
      const eta = new Date(Date.now() + 1200);
      const r = await client.sendTask<HeadersInfo>('pyinterop.headers', [], {}, { eta });
      const info = await r.get({ timeout: 10_000 });
      expect(Date.now()).toBeGreaterThanOrEqual(eta.getTime() - 50);
      expect(Math.abs(Date.parse(info.eta!) - eta.getTime())).toBeLessThanOrEqual(1);
      expect(info.eta).toMatch(/\+00:00$/); // Python parsed it as an aware UTC datetime
    });

    it('expires in the past, idle consumer: RabbitMQ still delivers (TTL 0) and Python answers REVOKED "expired"', async () => {
      // The client sets the AMQP `expiration` property to "0" (as Python's send_task does). RabbitMQ
      // drops a TTL-0 message only if no consumer can take it at once; the Python worker is idle with
      // a free prefetch slot, so it receives it, sees `expires` < now and stores REVOKED('expired').
      const r = await client.sendTask('pyinterop.add', [1, 1], {}, { expires: new Date(Date.now() - 60_000) });
      const error = await expectRejection(r.get({ timeout: 5_000 }), CeleryTaskRevokedError);
      expect(error.excType).toBe('TaskRevokedError');
      expect(error.excModule).toBe('celery.exceptions');
      expect(error.excArgs).toEqual(['expired']);
      expect(r.state).toBe('REVOKED');
      await worker.waitFor(`Discarding revoked task: pyinterop.add[${r.id}]`, 5_000);
    });

    it('expires in the past, no consumer ready: RabbitMQ drops it by TTL, so no result ever comes (timeout)', async () => {
      const r = await client.sendTask('pyinterop.add', [1, 1], {}, { queue: IDLE_QUEUE, expires: -5 });
      await expectRejection(r.get({ timeout: 700 }), CeleryTimeoutError);
      expect(await queueDepth(BROKER_URL, IDLE_QUEUE)).toBe(0);
      // A message without expiry on the same queue does stay there (so the 0 above is the TTL drop).
      await client.sendTask('pyinterop.add', [1, 1], {}, { queue: IDLE_QUEUE });
      expect(await queueDepth(BROKER_URL, IDLE_QUEUE)).toBe(1);
      await deleteQueues(BROKER_URL, IDLE_QUEUE);
    });

    it('countdown beyond expires: Python holds it until the ETA, then answers REVOKED "expired"', async () => {
      const sent = Date.now();
      const r = await client.sendTask('pyinterop.add', [1, 1], {}, { countdown: 1, expires: 0.5 });
      const error = await expectRejection(r.get({ timeout: 5_000 }), CeleryTaskRevokedError);
      expect(error.excArgs).toEqual(['expired']);
      expect(Date.now() - sent).toBeGreaterThanOrEqual(900);
    });

    it('expires in 60 s -> runs; Python sees expires = now + 60 s', async () => {
      const sent = Date.now();
      const r = await client.sendTask<HeadersInfo>('pyinterop.headers', [], {}, { expires: 60 });
      const info = await r.get({ timeout: 10_000 });
      expect(Math.abs(Date.parse(info.expires!) - (sent + 60_000))).toBeLessThan(1_000);
    });
  });

  describe('Python JSON that is not strict JSON', () => {
    // kombu 5.2 serializes with json.dumps(allow_nan=True): float('inf') / float('nan') become the bare
    // tokens Infinity / -Infinity / NaN, which a Python client decodes fine. Expected: the Nest client
    // decodes them too (as Infinity / -Infinity / NaN) instead of dropping the reply.
    it('control: a Python client decodes the same reply (inf, -inf, nan)', async () => {
      await expect(runPython('n2p_special_floats.py', { queue: QUEUE })).resolves.toEqual({ inf: 'inf', ninf: '-inf', nan: 'nan', one: 1 });
    });

    // LIBRARY BUG (kept failing on purpose): decodeResultMessage (libs/nestjs-celery/src/protocol/result-message.ts)
    // uses strict JSON.parse, the reply is dropped with "ignored a malformed reply ... result body is not
    // valid JSON", and get() waits until its timeout.
    it('a result with Infinity / NaN reaches the client', async () => {
      const r = await client.sendTask<Record<string, number>>('pyinterop.special_floats');
      await expect(r.get({ timeout: 2_000 })).resolves.toEqual({ inf: Infinity, ninf: -Infinity, nan: NaN, one: 1 });
    });

    it('mul(1e308, 10) = inf reaches the client as Infinity', async () => {
      const r = await client.sendTask<number>('pyinterop.mul', [1e308, 10]);
      await expect(r.get({ timeout: 2_000 })).resolves.toBe(Infinity);
    });
  });

  describe('message options reach the Python task', () => {
    it('custom headers are request attributes (self.request.get(name)), with their JSON types', async () => {
      const headers = { 'x-custom': 'v', n: 7, neg: -5, big: 2 ** 40, ratio: 1.5, flag: true, nested: { a: [1, 'b'] } };
      const r = await client.sendTask<HeadersInfo>('pyinterop.headers', Object.keys(headers), {}, { headers });
      const info = await r.get({ timeout: 10_000 });
      expect(info.custom).toEqual(headers);
      expect(info.extra_keys).toEqual(Object.keys(headers).sort());
      // Celery merges the whole header table into Task.request; request.headers stays None in 5.2
      // (protocol 2), Celery 5.5 also puts the custom headers (those not its own) there.
      if (isCelery55()) expect(info.request_headers).toEqual(headers);
      else expect(info.request_headers).toBeNull();
      // compact headers (the default) leave out lang, argsrepr and origin: the worker reads them as None
      expect(info.lang).toBeNull();
      expect(info.origin).toBeNull();
      expect(info.correlation_id).toBe(r.id);
      expect(info.reply_to).toBe(client.replyQueue);
      expect(info.delivery_info).toEqual({ exchange: '', routing_key: QUEUE, priority: null, redelivered: false });
    });

    it('header edge values: unicode keys/values, bigint, large negative, Date, null, int8/int16-range ints', async () => {
      const headers: Record<string, unknown> = {
        'x-ünï': 'värde 🎉 日本',
        bigint: 2n ** 62n,
        smallbig: 12n,
        bigneg: -(2 ** 40),
        when: new Date(0),
        nothing: null,
        bytes: [0, 127, 128, 255, -1, -128, -129, 32767, 32768, -32768, 65535, 2 ** 31 - 1, -(2 ** 31)],
      };
      const r = await client.sendTask<HeadersInfo>('pyinterop.headers', Object.keys(headers), {}, { headers });
      const info = await r.get({ timeout: 10_000 });
      expect(info.custom).toEqual({
        'x-ünï': 'värde 🎉 日本',
        bigint: 2 ** 62,
        smallbig: 12,
        bigneg: -(2 ** 40),
        when: '1970-01-01T00:00:00.000Z',
        nothing: null,
        bytes: [0, 127, 128, 255, -1, -128, -129, 32767, 32768, -32768, 65535, 2 ** 31 - 1, -(2 ** 31)],
      });
    });

    it('exchange + routingKey route through a named exchange (the one Celery declared for the queue)', async () => {
      const r = await client.sendTask<HeadersInfo>('pyinterop.headers', [], {}, { exchange: QUEUE, routingKey: QUEUE });
      const info = await r.get({ timeout: 10_000 });
      expect(info.delivery_info).toMatchObject({ exchange: QUEUE, routing_key: QUEUE });
    });

    it('timeLimit / softTimeLimit reach the task as [hard, soft]', async () => {
      const r = await client.sendTask<HeadersInfo>('pyinterop.headers', [], {}, { timeLimit: 30, softTimeLimit: 20 });
      const info = await r.get({ timeout: 10_000 });
      expect(info.timelimit).toEqual([30, 20]);
      // no limits: compact headers leave timelimit out, which Celery reads as None (no limits either)
      const none = await client.sendTask<HeadersInfo>('pyinterop.headers');
      expect((await none.get({ timeout: 10_000 })).timelimit).toBeNull();
    });

    it("wireHeaders 'full' writes what a Python client writes: lang, argsrepr, origin, timelimit [None, None]", async () => {
      const full = new CeleryClient({ brokerUrl: BROKER_URL, defaultQueue: QUEUE, wireHeaders: 'full', origin: 'nest-full@test' });
      await full.connect();
      try {
        const r = await full.sendTask<HeadersInfo>('pyinterop.headers', ['x-custom'], {}, { headers: { 'x-custom': 'v' } });
        const info = await r.get({ timeout: 10_000 });
        expect(info).toMatchObject({ lang: 'py', argsrepr: "('x-custom',)", origin: 'nest-full@test', timelimit: [null, null] });
        expect(info.custom).toEqual({ 'x-custom': 'v' });
        const context = await full.sendTask<ContextInfo>('pyinterop.context');
        await expect(context.get({ timeout: 10_000 })).resolves.toEqual({ id: context.id, root_id: context.id, parent_id: null, group: null, retries: 0 });
      } finally {
        await full.close();
      }
    });

    it('priority is the AMQP priority property, visible in delivery_info', async () => {
      const r = await client.sendTask<HeadersInfo>('pyinterop.headers', [], {}, { priority: 5 });
      const info = await r.get({ timeout: 10_000 });
      expect(info.priority_property).toBe(5);
      expect(info.delivery_info.priority).toBe(5);
    });

    it('shadow is the request name Python logs', async () => {
      const r = await client.sendTask<HeadersInfo>('pyinterop.headers', [], {}, { shadow: 'n2p-alias' });
      const info = await r.get({ timeout: 10_000 });
      expect(info.shadow).toBe('n2p-alias');
      await worker.waitFor(`Task n2p-alias[${r.id}] succeeded`, 5_000);
    });

    it('context: a plain task is its own root, without parent or group', async () => {
      const r = await client.sendTask<ContextInfo>('pyinterop.context');
      await expect(r.get({ timeout: 10_000 })).resolves.toEqual({ id: r.id, root_id: r.id, parent_id: null, group: null, retries: 0 });
    });
  });

  describe('typed proxies, retries and canvas', () => {
    const add = defineTask<[x: number, y: number], number>('pyinterop.add', { queue: QUEUE });
    const mul = defineTask<[x: number, y: number], number>('pyinterop.mul', { queue: QUEUE });
    const context = defineTask<[], ContextInfo>('pyinterop.context', { queue: QUEUE });

    it('defineTask proxies: delay, applyAsync with kwargs, call', async () => {
      const proxy = client.task(add);
      expect(proxy.name).toBe('pyinterop.add');
      const r = await proxy.delay(2, 3);
      await expect(r.get({ timeout: 10_000 })).resolves.toBe(5);
      const viaApply = await proxy.applyAsync([1] as unknown as [number, number], { y: 9 });
      await expect(viaApply.get({ timeout: 10_000 })).resolves.toBe(10);
      await expect(proxy.call([4, 5], { timeout: 10_000 })).resolves.toBe(9);
    });

    it('retry_until(2): Python retries twice (RETRY updates seen) and returns 2', async () => {
      const states: string[] = [];
      const r = await client.sendTask<number>('pyinterop.retry_until', [2]);
      const value = await r.get({ timeout: 15_000, onMessage: (m: ResultMessage) => states.push(m.status) });
      expect(value).toBe(2);
      expect(states.filter((s) => s === 'RETRY')).toHaveLength(2);
      expect(states[states.length - 1]).toBe('SUCCESS');
    });

    it('chain add(1,2) | add(10) | mul(3) = 39, executed by Python', async () => {
      const r = await client.chain<number>(
        client.signature('pyinterop.add', [1, 2], {}, { queue: QUEUE }),
        client.signature('pyinterop.add', [10], {}, { queue: QUEUE }),
        mul.s([3] as unknown as [number, number]),
      );
      expect(r.taskName).toBe('pyinterop.mul');
      await expect(r.get({ timeout: 15_000 })).resolves.toBe(39);
    });

    it('chain links root_id / parent_id like Celery (immutable last step)', async () => {
      const first = client.signature('pyinterop.add', [1, 1], {}, { queue: QUEUE, taskId: `n2p-root-${Date.now()}` });
      const second = client.signature('pyinterop.add', [5], {}, { queue: QUEUE, taskId: `n2p-mid-${Date.now()}` });
      const r = await client.chain<ContextInfo>(first, second, context.si([]));
      const info = await r.get({ timeout: 15_000 });
      expect(info.id).toBe(r.id);
      expect(info.root_id).toBe(first.options.task_id);
      expect(info.parent_id).toBe(second.options.task_id);
    });

    it('group of 4 -> values in order; members carry the group id', async () => {
      const group = await client.group<number>([0, 1, 2, 3].map((i) => client.signature('pyinterop.add', [i, i], {}, { queue: QUEUE })));
      expect(group.results).toHaveLength(4);
      await expect(group.get({ timeout: 15_000 })).resolves.toEqual([0, 2, 4, 6]);
      expect(group.ready()).toBe(true);

      const ctxGroup = await client.group<ContextInfo>([context.s([]), context.s([])]);
      const infos = await ctxGroup.get({ timeout: 15_000 });
      expect(infos.map((i) => i.group)).toEqual([ctxGroup.id, ctxGroup.id]);
    });

    it('link: Python applies the callback with the parent result and honours its task id', async () => {
      const callbackId = `n2p-link-${Date.now()}`;
      // rpc:// results go to the `reply_to` of the message. A link signature is applied by the Python
      // worker, which uses the signature's options.reply_to, else its *own* reply queue; so the
      // signature has to carry this client's reply queue for the client to see the callback result.
      const callback = client.signature('pyinterop.add', [10], {}, { queue: QUEUE, taskId: callbackId, replyTo: client.replyQueue });
      const r = await client.sendTask<number>('pyinterop.add', [2, 3], {}, { link: callback });
      await expect(r.get({ timeout: 10_000 })).resolves.toBe(5);
      await expect(client.asyncResult<number>(callbackId).get({ timeout: 10_000 })).resolves.toBe(15);
    });

    it('link without its own reply_to reports to the calling client (Python\'s rpc backend would not)', async () => {
      const callbackId = `n2p-link-noreply-${Date.now()}`;
      const callback = client.signature('pyinterop.add', [10], {}, { queue: QUEUE, taskId: callbackId });
      const r = await client.sendTask<number>('pyinterop.add', [20, 3], {}, { link: callback });
      await expect(r.get({ timeout: 10_000 })).resolves.toBe(23);
      await expect(client.asyncResult<number>(callbackId).get({ timeout: 10_000 })).resolves.toBe(33);
    });

    it('link with its own reply_to keeps it: its result goes there, not to us', async () => {
      const callbackId = `n2p-link-null-${Date.now()}`;
      const callback = { ...client.signature('pyinterop.add', [10], {}, { queue: QUEUE, taskId: callbackId }) };
      callback.options = { ...callback.options, reply_to: 'n2p-nobody-listens' };
      const r = await client.sendTask<number>('pyinterop.add', [20, 3], {}, { link: callback });
      await expect(r.get({ timeout: 10_000 })).resolves.toBe(23);
      await worker.waitFor(`Task pyinterop.add[${callbackId}] succeeded`, 10_000);
      await expectRejection(client.asyncResult(callbackId).get({ timeout: 500 }), CeleryTimeoutError);
    });

    it('chain with a failing step: Python marks the last step FAILURE too (rpc reply to our queue)', async () => {
      const r = await client.chain<number>(
        client.signature('pyinterop.add', [1, 2], {}, { queue: QUEUE }),
        client.signature('pyinterop.fail', [], {}, { queue: QUEUE }), // fail(3) -> ValueError(3)
        client.signature('pyinterop.add', [10], {}, { queue: QUEUE }),
      );
      const error = await expectRejection(r.get({ timeout: 10_000 }), CeleryRemoteError);
      expect(error.excType).toBe('ValueError');
      expect(error.excArgs).toEqual([3]);
      expect(error.taskId).toBe(r.id);
    });

    it('linkError: Python sends a one-argument errback as a task with the failed task id', async () => {
      const errback = client.signature('pyinterop.on_error', [], {}, { queue: QUEUE, replyTo: client.replyQueue });
      const r = await client.sendTask('pyinterop.fail', ['for errback'], {}, { linkError: errback });
      await expectRejection(r.get({ timeout: 10_000 }), CeleryRemoteError);
      await worker.waitFor(new RegExp(`Task pyinterop\\.on_error\\[[^\\]]+\\] succeeded in [0-9.e-]+s: '${r.id}'`), 10_000);
    });

    it('ignoreResult: true -> the task runs but no SUCCESS reply arrives', async () => {
      const r = await client.sendTask<number>('pyinterop.add', [7, 8], {}, { ignoreResult: true });
      await worker.waitFor(new RegExp(`Task pyinterop\\.add\\[${r.id}\\] succeeded in [0-9.e-]+s: 15`), 10_000);
      await expectRejection(r.get({ timeout: 500 }), CeleryTimeoutError);
      expect(r.state).toBe('PENDING');
    });

    it('ignoreResult: true still delivers FAILURE (Celery only skips storing SUCCESS)', async () => {
      const r = await client.sendTask('pyinterop.fail', ['ignored but failed'], {}, { ignoreResult: true });
      const error = await expectRejection(r.get({ timeout: 10_000 }), CeleryRemoteError);
      expect(error.excArgs).toEqual(['ignored but failed']);
    });
  });

  describe('invalid calls are rejected before anything is sent', () => {
    it('empty name, non-array args, negative countdown, BigInt argument -> CeleryInvalidCallError, queue untouched', async () => {
      // A fresh queue: the client (like kombu's maybe_declare) declares a queue once per connection,
      // so a queue deleted behind its back is not re-created and messages to it would be unroutable.
      await client.sendTask('pyinterop.add', [1, 2], {}, { queue: INVALID_QUEUE }); // one valid message as a baseline
      expect(await queueDepth(BROKER_URL, INVALID_QUEUE)).toBe(1);

      const to = { queue: INVALID_QUEUE };
      await expectRejection(client.sendTask('', [1], {}, to), CeleryInvalidCallError);
      await expectRejection(client.sendTask('pyinterop.add', { 0: 1 } as unknown as unknown[], {}, to), CeleryInvalidCallError);
      await expectRejection(client.sendTask('pyinterop.add', 'ab' as unknown as unknown[], {}, to), CeleryInvalidCallError);
      await expectRejection(client.sendTask('pyinterop.add', [1, 2], {}, { ...to, countdown: -1 }), CeleryInvalidCallError);
      await expectRejection(client.sendTask('pyinterop.add', [1n, 2], {}, to), CeleryInvalidCallError);
      await expectRejection(client.sendTask('pyinterop.add', [1, 2], { big: 10n }, to), CeleryInvalidCallError);
      await expectRejection(client.task(defineTask<[string], string>('', to)).delay('x'), CeleryInvalidCallError);

      expect(await queueDepth(BROKER_URL, INVALID_QUEUE)).toBe(1);
    });
  });

  describe('worker health', () => {
    it('the Python worker never saw an invalid message and is still running', async () => {
      // Give the worker a last task so its log is up to date.
      const r = await client.sendTask<number>('pyinterop.add', [40, 2]);
      await expect(r.get({ timeout: 10_000 })).resolves.toBe(42);
      expect(worker.log).not.toMatch(/Unrecoverable error/);
      expect(worker.log).not.toMatch(/Received invalid task message/);
      expect(worker.log).not.toMatch(/Received and deleted unknown message/);
      expect(worker.log).not.toMatch(/CRITICAL/);
      expect(worker.child.exitCode).toBeNull();
    });
  });
});
