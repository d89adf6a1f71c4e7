/**
 * Python Celery <-> Nest on a Redis broker (kombu's Redis transport, rpc:// results): the
 * Python client (test/python/interop_client.py, unchanged) calls the Nest interop worker, a Nest
 * CeleryClient calls a Python worker (test/python/pyworker_app.py), and a Python and a Nest worker
 * compete on one queue. Only the broker URL differs from the RabbitMQ suites.
 */
import { type AsyncResult, CeleryClient, CeleryRemoteError, CeleryTaskRevokedError } from 'nestjs-celery';
import { celeryRelease } from './support/celery-version.js';
import type { ManagedProcess } from './support/child-process.js';
import { startInteropWorker } from './support/interop-worker.js';
import { flushRedisDb, redisBrokerUrl, runPythonOn, startPythonWorkerOn, until } from './support/redis-broker.js';

const URL = redisBrokerUrl(6);

interface Outcome<T = unknown> {
  id: string;
  value?: T;
  error?: { type: string; module: string; args: unknown[]; builtin: boolean };
  state: string;
  elapsed?: number;
  waited: number;
}

async function py<T = Outcome>(params: { case: string } & Record<string, unknown>): Promise<T> {
  const out = await runPythonOn<{ ok: boolean; result: T; error?: { type: string; str: string }; traceback?: string }>(URL, 'interop_client.py', params);
  if (!out.ok) throw new Error(`interop_client.py case '${params.case}' raised ${out.error?.type}: ${out.error?.str}\n${out.traceback}`);
  return out.result;
}

describe(`Python Celery ${celeryRelease()} <-> Nest on Redis`, () => {
  let nest: ManagedProcess;

  beforeAll(async () => {
    await flushRedisDb(URL);
    nest = await startInteropWorker({ CELERY_BROKER_URL: URL });
  }, 90_000);

  afterAll(async () => {
    await nest?.stop();
  });

  describe('Python client -> Nest worker', () => {
    it('results and errors: add, and ValueError rebuilt as the builtin', async () => {
      await expect(py({ case: 'add', args: [2, 3] })).resolves.toMatchObject({ value: 5, state: 'SUCCESS' });
      const failed = await py<Outcome & { caught_as_builtin: boolean }>({ case: 'fail', message: 'boom' });
      expect(failed.error).toMatchObject({ type: 'ValueError', args: ['boom'], builtin: true });
      expect(failed.caught_as_builtin).toBe(true);
    });

    it('countdown and eta run no earlier than asked; expires in the past answers REVOKED', async () => {
      const countdown = await py({ case: 'countdown', countdown: 1 });
      expect(countdown).toMatchObject({ value: 2, state: 'SUCCESS' });
      expect(countdown.elapsed).toBeGreaterThanOrEqual(0.9);
      const eta = await py({ case: 'eta', delay: 1.2 });
      expect(eta).toMatchObject({ value: 4 });
      expect(eta.elapsed).toBeGreaterThanOrEqual(1.0);
      const expired = await py<Outcome & { messages: string[] }>({ case: 'expires', expires: -5 });
      expect(expired.state).toBe('REVOKED');
    });

    it('chain and group', async () => {
      await expect(py({ case: 'chain' })).resolves.toMatchObject({ value: 39, step_values: [3, 13, 39] });
      await expect(py({ case: 'group' })).resolves.toMatchObject({ value: [0, 2, 4, 6, 8] });
    });

    it('link and link_error reach the callback queue', async () => {
      const link = await py<{ parent: Outcome; callback: Outcome }>({ case: 'link' });
      expect(link.parent.value).toBe(4);
      expect(link.callback.value).toBe(14);
      const linkError = await py<{ failed: Outcome; errbacks: unknown[]; extra: unknown[] }>({ case: 'link_error' });
      expect(linkError.failed.error?.type).toBe('ValueError');
      expect(linkError.errbacks).toHaveLength(1);
      expect(linkError.extra).toHaveLength(0);
    });
  });

  describe('Nest client -> Python worker', () => {
    let python: ManagedProcess;
    let client: CeleryClient;

    beforeAll(async () => {
      python = await startPythonWorkerOn(URL, 'pyworker_app', ['pyinterop']);
      client = new CeleryClient({ brokerUrl: URL, defaultQueue: 'pyinterop' });
      await client.connect();
    }, 90_000);

    afterAll(async () => {
      await client?.close();
      await python?.stop();
    });

    it('results and errors', async () => {
      await expect((await client.sendTask<number>('pyinterop.add', [2, 3])).get({ timeout: 10_000 })).resolves.toBe(5);
      const failed = await client.sendTask('pyinterop.fail', ['nope']);
      const error = await failed.get({ timeout: 10_000 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CeleryRemoteError);
      expect((error as CeleryRemoteError).excType).toBe('ValueError');
    });

    it('countdown is honoured by the Python worker; expires in the past is REVOKED', async () => {
      const started = Date.now();
      await expect((await client.sendTask<number>('pyinterop.add', [1, 1], {}, { countdown: 1 })).get({ timeout: 10_000 })).resolves.toBe(2);
      expect(Date.now() - started).toBeGreaterThanOrEqual(900);
      const expired = await client.sendTask('pyinterop.add', [1, 1], {}, { expires: new Date(Date.now() - 60_000) });
      await expect(expired.get({ timeout: 10_000 })).rejects.toBeInstanceOf(CeleryTaskRevokedError);
    });

    it('chain and group run on Python', async () => {
      const chain = await client.chain<number>(
        client.signature('pyinterop.add', [1, 2]),
        client.signature('pyinterop.add', [10]),
        client.signature('pyinterop.mul', [3]),
      );
      await expect(chain.get({ timeout: 15_000 })).resolves.toBe(39);
      const group = await client.group<number>([0, 1, 2, 3].map((i) => client.signature('pyinterop.add', [i, i])));
      await expect(group.get({ timeout: 15_000 })).resolves.toEqual([0, 2, 4, 6]);
    });
  });

  it('a Python and a Nest worker compete on one queue: every task runs once, both take a share', async () => {
    const python = await startPythonWorkerOn(URL, 'redis_shared_app', ['interop'], 'py-shared');
    const client = new CeleryClient({ brokerUrl: URL, defaultQueue: 'interop' });
    try {
      const results: AsyncResult<number>[] = [];
      for (let i = 0; i < 40; i++) results.push(await client.sendTask<number>('interop.tally', [i, 1, 0]));
      const values = await Promise.all(results.map((r) => r.get({ timeout: 20_000 })));
      expect(values).toEqual(results.map((_, i) => i + 1));
      const ran = (log: string, id: string) => log.split(id).length - 1;
      await until(() => {
        for (const r of results) expect(ran(python.log, `python tally ran ${r.id}`) + ran(nest.log, `interop.tally ran ${r.id}`)).toBe(1);
      });
      const byPython = results.filter((r) => python.log.includes(`python tally ran ${r.id}`)).length;
      expect(byPython).toBeGreaterThan(0);
      expect(byPython).toBeLessThan(40);
    } finally {
      await client.close();
      await python.stop();
    }
  }, 60_000);
});
