/**
 * The Redis result backend through outages and volume, on a private redis-server (stopped and
 * started again on its port) with the Nest interop worker as its own process: 10,000 calls leave
 * no subscription behind, a call while Redis is down fails at once with
 * ResultBackendUnavailableError (nothing sent), a get() waiting across the outage gets its result
 * after the reconnect, and calls work again.
 */
import { CeleryClient, ResultBackendUnavailableError } from 'nestjs-celery';
import type { Redis } from 'ioredis';
import { BROKER_URL } from './support/broker-url.js';
import type { ManagedProcess } from './support/child-process.js';
import { startInteropWorker } from './support/interop-worker.js';
import { PrivateRedis } from './support/private-redis.js';
import { deleteQueues, queueDepth } from './support/rabbitmq-admin.js';
import { rawRedis, subscribedChannels } from './support/redis-results.js';
import { eventually, pause } from './support/eventually.js';

const QUEUE = 'interop.redis-outage';
const IDLE_QUEUE = 'interop.redis-outage.idle';
const CALLS = 10_000;

let server: PrivateRedis;
let worker: ManagedProcess;
let client: CeleryClient;
let probe: Redis;

beforeAll(async () => {
  await deleteQueues(BROKER_URL, QUEUE, IDLE_QUEUE);
  server = await PrivateRedis.start();
  worker = await startInteropWorker({ CELERY_RESULT_BACKEND: server.url(), INTEROP_QUEUE: QUEUE });
  client = new CeleryClient({ brokerUrl: BROKER_URL, resultBackend: server.url(), defaultQueue: QUEUE });
  await client.connect();
  probe = rawRedis(server.url());
}, 120_000);

afterAll(async () => {
  await client?.close();
  probe?.disconnect();
  await worker?.stop();
  await server?.stop();
  await deleteQueues(BROKER_URL, QUEUE, IDLE_QUEUE).catch(() => undefined);
});

describe('Redis result backend: volume and outages', () => {
  it(`${CALLS} calls all get their result and leave no subscription behind`, async () => {
    const started = Date.now();
    for (let i = 0; i < CALLS; i += 500) {
      const batch = await Promise.all(Array.from({ length: Math.min(500, CALLS - i) }, (_, j) => client.sendTask<number>('interop.add', [i, j])));
      const values = await Promise.all(batch.map((r) => r.get({ timeout: 30_000 })));
      expect(values).toEqual(batch.map((_, j) => i + j));
    }
    expect(await subscribedChannels(probe)).toEqual([]);
    // the client keeps its two connections (commands, subscriber), the worker its one
    const clients = (await probe.client('LIST')) as string;
    expect(clients.split('\n').filter((line) => line.includes('name=nestjs-celery-client')).length).toBe(2);
    console.log(`${CALLS} calls with the Redis backend in ${Date.now() - started} ms`);
  }, 180_000);

  it('while Redis is down a call fails at once with ResultBackendUnavailableError (nothing sent); a get() waiting across the outage gets its result; calls work again', async () => {
    const waiting = await client.sendTask<number>('interop.add', [40, 2], {}, { countdown: 4 });
    const waited = waiting.get({ timeout: 60_000 });
    await server.stop();
    const before = await queueDepth(BROKER_URL, IDLE_QUEUE).catch(() => 0);
    const started = Date.now();
    const error = await client.sendTask('interop.add', [1, 1], {}, { queue: IDLE_QUEUE }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResultBackendUnavailableError);
    expect((error as Error).message).toMatch(/result backend redis:\/\/127\.0\.0\.1:\d+\/0 unavailable/);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(await queueDepth(BROKER_URL, IDLE_QUEUE).catch(() => 0)).toBe(before);
    await pause(1_000);
    await server.restart();
    await expect(waited).resolves.toBe(42);
    // the client's command connection is back within ioredis' reconnect delay (≤ 2 s)
    let again;
    for (let attempt = 0; !again; attempt++) {
      again = await client.sendTask<number>('interop.add', [2, 3]).catch(async (e: unknown) => {
        if (attempt > 50 || !(e instanceof ResultBackendUnavailableError)) throw e;
        await pause(200);
        return undefined;
      });
    }
    await expect(again.get({ timeout: 10_000 })).resolves.toBe(5);
    await eventually(async () => (await subscribedChannels(probe)).length === 0, 10_000, 'no subscribed result channels');
  }, 90_000);
});
