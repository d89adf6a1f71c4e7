/**
 * The chords suite, run on one broker: chords over the Redis result backend, as Celery's Redis
 * backend keeps them natively (`.j`/`.t`/`.s` keys, `group_index` order, the callback sent once by
 * whichever worker stores the last header result, `ChordError` when a header task failed), between
 * the Nest interop worker and a Python worker, called from Python and from Nest. And chords with
 * rpc://, which Celery does not support. test/chords.e2e-spec.ts runs it on RabbitMQ,
 * test/chords-redis-broker.e2e-spec.ts on a Redis broker; both against Celery 5.2.6 and 5.5.2
 * (CELERY55_SUITES).
 */
import { CeleryClient, ChordsNotSupportedError, type SignatureDict } from 'nestjs-celery';
import type { Redis } from 'ioredis';
import { celeryRelease } from './celery-version.js';
import type { ManagedProcess } from './child-process.js';
import { startInteropWorker } from './interop-worker.js';
import { runPythonOn } from './python.js';
import { startPythonWorkerOn } from './redis-broker.js';
import { rawRedis, RESULT_BACKEND } from './redis-results.js';

/** The broker a run of the chords suite uses. */
export interface ChordsBroker {
  /** For test titles: `RabbitMQ`, `Redis`. */
  name: string;
  url: string;
  /** Empties the suite's queues on that broker (before and after the suite). */
  purge(queues: string[]): Promise<void>;
  /** Extra `celery worker` arguments of the Python worker. */
  pythonWorkerArgs?: string[];
}

const NEST_QUEUE = 'interop.chords';
const PY_QUEUE = 'pyredis';

/** Defines the chords suite's tests on `broker` (call once at the top of a spec file). */
export function describeChords(broker: ChordsBroker): void {
  let nest: ManagedProcess;
  let python: ManagedProcess;
  let client: CeleryClient;
  let redis: Redis;
  /** Chord keys other suites (or Celery's ChordError path, which keeps them) left behind. */
  let chordKeysBefore: Set<string>;

  type PyError = { type: string; module: string; message: string };

  /** A signature routed to the Nest (`interop.*`) or Python (`pyredis.*`) worker's queue. */
  function sig(name: string, args: unknown[] = [], kwargs: Record<string, unknown> = {}): SignatureDict {
    return client.signature(name, args, kwargs, { queue: name.startsWith('interop.') ? NEST_QUEUE : PY_QUEUE });
  }

  /** A header whose second task fails on the Python worker. */
  function header3(): SignatureDict[] {
    return [sig('interop.add', [1, 1]), sig('pyredis.fail', ['py header boom']), sig('interop.add', [2, 2])];
  }

  /** Runs a case of `redis_results_client.py` on this broker. */
  function py<T>(input: { case: string } & Record<string, unknown>): Promise<T> {
    return runPythonOn<T>(broker.url, 'redis_results_client.py', input);
  }

  beforeAll(async () => {
    process.env.CELERY_RESULT_BACKEND = RESULT_BACKEND;
    process.env.INTEROP_QUEUE = NEST_QUEUE;
    await broker.purge([NEST_QUEUE, PY_QUEUE]);
    [nest, python] = await Promise.all([
      startInteropWorker({ CELERY_BROKER_URL: broker.url, CELERY_RESULT_BACKEND: RESULT_BACKEND, INTEROP_QUEUE: NEST_QUEUE }),
      startPythonWorkerOn(broker.url, 'redis_results_app', [PY_QUEUE], undefined, broker.pythonWorkerArgs),
    ]);
    client = new CeleryClient({ brokerUrl: broker.url, resultBackend: RESULT_BACKEND });
    await client.connect();
    redis = rawRedis();
    chordKeysBefore = new Set(await redis.keys('celery-taskset-meta-*.[jts]'));
  }, 120_000);

  afterAll(async () => {
    await client?.close();
    redis?.disconnect();
    await Promise.all([nest?.stop(), python?.stop()]);
    await broker.purge([NEST_QUEUE, PY_QUEUE]).catch(() => undefined);
  });

  describe(`chords with Python Celery ${celeryRelease()} on ${broker.name} (Redis backend)`, () => {
    it("Python's chord(header)(callback): header on the Nest worker, callback on Python, values in header order", async () => {
      const out = await py<{ value: { values: number[]; tag: string } }>({ case: 'chord_nest_header', n: 6 });
      expect(out.value).toEqual({ values: [0, 2, 4, 6, 8, 10], tag: 'py' });
    });

    it("Python's chord: header on Python, callback on the Nest worker", async () => {
      const out = await py<{ value: number }>({ case: 'chord_py_header', n: 5 });
      expect(out.value).toBe(15);
    });

    it("Python's chord over both workers, callback on Nest", async () => {
      const out = await py<{ value: unknown }>({ case: 'chord_mixed' });
      // interop.echo returns its args and kwargs: one arg, the header's values in order
      expect(out.value).toEqual({ args: [[2, 4, 9, 16]], kwargs: {} });
    });

    it('a failed header task on Nest fails the Python callback with ChordError and calls its errback once', async () => {
      const out = await py<{ error: PyError; body_result: PyError; state: string; errbacks: string[]; body_id: string }>({
        case: 'chord_error',
      });
      // Python's get() raises the failed parent's exception first (the header task's ValueError) …
      expect(out.error).toMatchObject({ type: 'ValueError', message: 'header boom' });
      // … while the callback itself is stored as FAILURE with ChordError
      expect(out.body_result.type).toBe('ChordError');
      expect(out.body_result.message).toMatch(/^Dependency [0-9a-f-]{36} raised ValueError\('header boom'\)$/);
      expect(out.state).toBe('FAILURE');
      expect(out.errbacks).toEqual([out.body_id]);
    });

    it("Python's chain(task, group, task) (an implicit chord) whose first task and chord step run on Nest", async () => {
      const out = await py<{ value: number }>({ case: 'chain_group' });
      expect(out.value).toBe(3 * 10 + 3 * 100);
    });

    it('a Nest client\'s celery.chord over Nest and Python workers, callback on either', async () => {
      const header = [sig('interop.add', [1, 1]), sig('pyredis.add', [2, 2]), sig('interop.mul', [3, 3]), sig('pyredis.mul', [4, 4])];
      const onPython = await client.chord<{ values: number[] }>(header, sig('pyredis.collect', [], { tag: 'nest' }));
      await expect(onPython.get({ timeout: 20_000 })).resolves.toEqual({ values: [2, 4, 9, 16], tag: 'nest' });
      const onNest = await client.chord<number>(Array.from({ length: 10 }, (_, i) => sig(i % 2 ? 'interop.add' : 'pyredis.add', [i, 0])), sig('interop.xsum'));
      await expect(onNest.get({ timeout: 20_000 })).resolves.toBe(45);
      const empty = await client.chord<number>([], sig('interop.xsum'));
      await expect(empty.get({ timeout: 20_000 })).resolves.toBe(0);
    });

    it('the chord keys are gone once the callback was sent', async () => {
      const keys = await redis.keys('celery-taskset-meta-*.[jts]');
      expect(keys.filter((key) => !chordKeysBefore.has(key))).toEqual([]);
    });

    it('a Nest chord whose header fails on Python: ChordError on the callback, errbacks called with its id', async () => {
      await redis.del('pyredis-errbacks');
      const callback = { ...sig('interop.xsum'), options: { ...sig('interop.xsum').options, link_error: [sig('pyredis.on_error')] } };
      const r = await client.chord(header3(), callback);
      const error = await r.get({ timeout: 20_000 }).catch((e: unknown) => e);
      expect(error).toMatchObject({ excType: 'ChordError', excModule: 'celery.exceptions' });
      expect((error as Error).message).toMatch(/Dependency [0-9a-f-]{36} raised ValueError\('py header boom'\)/);
      for (let i = 0; i < 100 && (await redis.llen('pyredis-errbacks')) === 0; i++) await new Promise((resolve) => setTimeout(resolve, 100));
      expect(await redis.lrange('pyredis-errbacks', 0, -1)).toEqual([r.id]);
    });

    it("a Nest client's chain containing a group (an implicit chord, as Celery builds it)", async () => {
      const r = await client.chain<number>(sig('interop.add', [1, 2]), client.groupSignature([sig('pyredis.mul', [10]), sig('interop.mul', [100])]), sig('interop.xsum'));
      await expect(r.get({ timeout: 20_000 })).resolves.toBe(330);
      const startsWithGroup = await client.chain<number>(client.groupSignature([sig('interop.add', [1, 1]), sig('pyredis.add', [2, 2])]), sig('pyredis.tsum'), sig('interop.mul', [10]));
      await expect(startsWithGroup.get({ timeout: 20_000 })).resolves.toBe(60);
    });
  });

  describe(`chords with rpc:// on ${broker.name} (as Celery ${celeryRelease()})`, () => {
    it('Celery raises NotImplementedError applying a chord with rpc://; a Nest client raises ChordsNotSupportedError, sending nothing', async () => {
      const out = await py<{ error: PyError }>({ case: 'chord_rpc' });
      expect(out.error).toMatchObject({ type: 'NotImplementedError', message: expect.stringContaining('does not support chords') });
      const rpc = new CeleryClient({ brokerUrl: broker.url });
      try {
        await expect(rpc.chord([sig('interop.add', [1, 1])], sig('interop.xsum'))).rejects.toBeInstanceOf(ChordsNotSupportedError);
        await expect(rpc.chord([sig('interop.add', [1, 1])], sig('interop.xsum'))).rejects.toThrow(/"rpc" result backend does not support chords/);
      } finally {
        await rpc.close();
      }
    });

    it('a chain containing a group with rpc://: Celery raises NotImplementedError before sending anything; so does a Nest client (ChordsNotSupportedError)', async () => {
      const out = await py<{ error: PyError; sent: string[] }>({ case: 'chain_group_rpc', queue: `${NEST_QUEUE}.nowhere` });
      expect(out).toEqual({ error: expect.objectContaining({ type: 'NotImplementedError' }), sent: [] });
      const rpc = new CeleryClient({ brokerUrl: broker.url, defaultQueue: `${NEST_QUEUE}.nowhere` });
      try {
        await expect(rpc.chain(sig('interop.add', [1, 2]), rpc.groupSignature([sig('interop.mul', [10]), sig('interop.mul', [20])]), sig('interop.xsum'))).rejects.toBeInstanceOf(
          ChordsNotSupportedError,
        );
      } finally {
        await rpc.close();
      }
    });
  });
}
