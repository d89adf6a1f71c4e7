/**
 * The sample shop in broker mode with Redis: `bash scripts/start-all.sh --demo --exit` runs order
 * (HTTP), billing and logistic as three processes (and the Python pusher), drives the order flow
 * and exits 0 after a checked summary. Twice: on RabbitMQ with the Redis result backend
 * (`CELERY_RESULT_BACKEND=redis://…`: the services' task results went through Redis), and on the
 * Redis broker (`CELERY_BROKER_URL=redis://…` and nothing else changed: kombu's bindings and
 * queues are in Redis, rpc:// results).
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { BROKER_URL } from './support/broker-url.js';
import { freePort } from './support/free-port.js';
import { deleteExchanges, deleteQueues } from './support/rabbitmq-admin.js';
import { SHOP_EXCHANGES, SHOP_QUEUES } from './support/sample-shop-topology.js';
import { flushRedisDb, redisBrokerUrl, redisCheck } from './support/redis-broker.js';
import { rawRedis, RESULT_BACKEND } from './support/redis-results.js';

/** The Redis broker's database: used by this suite only (which runs against Celery 5.2 only). */
const REDIS_BROKER_URL = redisBrokerUrl(3);


let redis: Redis;
let dir: string;

beforeAll(async () => {
  await deleteQueues(BROKER_URL, ...SHOP_QUEUES);
  await deleteExchanges(BROKER_URL, ...SHOP_EXCHANGES);
  redis = rawRedis();
  dir = mkdtempSync(join(tmpdir(), 'demo-redis-'));
});

afterAll(async () => {
  redis?.disconnect();
  rmSync(dir, { recursive: true, force: true });
  await deleteQueues(BROKER_URL, ...SHOP_QUEUES).catch(() => undefined);
});

/** Task names of the results stored in Redis (`celery-task-meta-*` whose task id the services' logs do not give: counted instead). */
async function storedResults(): Promise<number> {
  let count = 0;
  for await (const keys of redis.scanStream({ match: 'celery-task-meta-*', count: 1000 })) count += (keys as string[]).length;
  return count;
}

/** `start-all.sh --demo --exit` with `env` added (undefined: removed); resolves with its exit code and output. */
async function runDemo(env: Record<string, string | undefined>): Promise<{ code: number | null; output: string }> {
  const childEnv: NodeJS.ProcessEnv = {
    ...process.env,
    ORDER_PORT: String(await freePort()),
    BILLING_PORT: String(await freePort()),
    LOGISTIC_PORT: String(await freePort()),
    LOGISTIC_DISPATCH_DELAY_S: '1',
    NESTJS_CELERY_DEMO_DIR: dir,
    ...env,
  };
  for (const name of ['BILLING_JOURNAL', 'PUSHER_BUCKET_DIR', ...Object.keys(env)]) if (childEnv[name] === undefined) delete childEnv[name];
  const child = spawn('bash', ['scripts/start-all.sh', '--demo', '--exit'], { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 110_000);
  const [code] = (await once(child, 'exit')) as [number | null];
  clearTimeout(timer);
  return { code, output };
}

/** The summary's checks, all held. */
function expectCheckedSummary({ code, output }: { code: number | null; output: string }): void {
  expect({ code, output }).toEqual({ code: 0, output: expect.stringContaining('\nsummary\n') });
  expect(output).toMatch(/\[billing\] {2}order\.v1\.submit \S+: posted sale, invoice \w+ total 34\.32 → billing\.v1\.invoiced/);
  expect(output).toContain('ok   ledger balances (trial balance: debits = credits)');
  expect(output).toContain('ok   charged-back shipment cancelled');
  expect(output).not.toContain('FAIL');
}

it('npm run demo in RabbitMQ mode with CELERY_RESULT_BACKEND=redis://…: three services, checked summary, results in Redis', async () => {
  const before = await storedResults();
  const run = await runDemo({ CELERY_BROKER_URL: BROKER_URL, CELERY_RESULT_BACKEND: RESULT_BACKEND });
  expectCheckedSummary(run);
  expect(run.output).toContain(`results ${RESULT_BACKEND}`);
  expect(await storedResults()).toBeGreaterThan(before);
}, 120_000);

it('npm run demo with CELERY_BROKER_URL=redis://… (the Redis broker, nothing else changed): checked summary, topology in Redis', async () => {
  await flushRedisDb(REDIS_BROKER_URL);
  const run = await runDemo({ CELERY_BROKER_URL: REDIS_BROKER_URL, CELERY_RESULT_BACKEND: undefined });
  expectCheckedSummary(run);
  expect(run.output).toContain('results rpc://');
  const redisBroker = redisCheck(REDIS_BROKER_URL);
  try {
    // kombu's exchange emulation: the services' topic exchanges are binding sets in the broker's database
    const bindings = await redisBroker.smembers('_kombu.binding.order');
    expect(bindings.some((member) => member.includes('billing.order-events'))).toBe(true);
  } finally {
    redisBroker.disconnect();
  }
}, 120_000);
