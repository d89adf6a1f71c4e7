/**
 * Issue 18, health: the billing sample service (a worker with an HTTP side, run as its own
 * process) serves `/health` through `nestjs-celery/health`. On a private broker of the test's own
 * (never the shared one), once on RabbitMQ (a private node) and once on Redis (a private
 * redis-server, killed and started again empty): healthy, unhealthy while the broker is stopped
 * (503, the worker's connection and every consumer and the client reported down), healthy again
 * once it is back, and a call goes through again. The indicator's remote ping of named workers,
 * through a client, against the running billing worker.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HealthIndicatorService } from '@nestjs/terminus';
import { CeleryClient, RedisBroker } from 'nestjs-celery';
import { CeleryHealthIndicator } from 'nestjs-celery/health';
import { startProcess, type ManagedProcess } from './support/child-process.js';
import { eventually } from './support/eventually.js';
import { freePort } from './support/free-port.js';
import { PrivateRabbitMq } from './support/private-rabbitmq.js';
import { PrivateRedis } from './support/private-redis.js';
import { redisCheck } from './support/redis-broker.js';

/** A broker of the test's own that it can stop and start again. */
interface OutageBroker {
  readonly url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  dispose(): Promise<void>;
}

const BROKERS: Array<{ name: string; open: () => Promise<OutageBroker> }> = [
  {
    name: 'RabbitMQ',
    open: async () => {
      const rabbit = await PrivateRabbitMq.start();
      return { url: rabbit.url(), stop: () => rabbit.stopApp(), start: () => rabbit.startApp(), dispose: () => rabbit.dispose() };
    },
  },
  {
    name: 'Redis',
    open: async () => {
      const redis = await PrivateRedis.start();
      return { url: redis.url(0), stop: () => redis.stop(), start: () => redis.restart(), dispose: () => redis.stop() };
    },
  },
];

/** The `_kombu.binding.*` sets on a Redis broker. */
async function bindingKeys(url: string): Promise<string[]> {
  const redis = redisCheck(url);
  try {
    return (await redis.keys('_kombu.binding.*')).sort();
  } finally {
    redis.disconnect();
  }
}

interface HealthBody {
  status: 'ok' | 'error';
  info?: Record<string, unknown>;
  error?: Record<string, { status: string; message?: string; worker?: { broker: string; consumers: Array<{ queue: string; consuming: boolean }> } }>;
}

describe.each(BROKERS)('/health of a sample service (nestjs-celery/health) on $name', ({ name, open }) => {
  let broker: OutageBroker;
  let billing: ManagedProcess;
  let port: number;
  let dir: string;

  async function health(): Promise<{ code: number; body: HealthBody }> {
    const response = await fetch(`http://127.0.0.1:${port}/health`);
    return { code: response.status, body: (await response.json()) as HealthBody };
  }

  beforeAll(async () => {
    broker = await open();
    port = await freePort();
    dir = mkdtempSync(join(tmpdir(), 'health-e2e-'));
    billing = startProcess('billing', process.execPath, ['--import', '@swc-node/register/esm-register', 'apps/billing/src/main.ts'], {
      CELERY_BROKER_URL: broker.url,
      BILLING_PORT: String(port),
      BILLING_JOURNAL: join(dir, 'billing.journal.jsonl'),
      BILLING_PUSH_INVOICES: '0',
    });
    await billing.waitFor('billing worker ready', 60_000);
  }, 180_000);

  afterAll(async () => {
    await billing?.stop();
    await broker?.dispose();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('is up with the broker connection, every consumer and the client reported', async () => {
    const { code, body } = await health();
    expect(code).toBe(200);
    expect(body.status).toBe('ok');
    expect(body.info?.celery).toMatchObject({
      status: 'up',
      worker: {
        broker: 'connected',
        results: 'rpc',
        consumers: expect.arrayContaining([
          { queue: 'billing.sync', consuming: true },
          { queue: 'billing.async', consuming: true },
          { queue: 'billing.order-events', consuming: true },
        ]),
      },
      client: { broker: 'connected' },
    });
  });

  it('pings named workers through a client: up when they answer, down naming the silent one', async () => {
    const node = /billing worker ready: ([\w.-]+@[\w.-]+)/.exec(billing.log)![1]!;
    const client = new CeleryClient({ brokerUrl: broker.url, resultBackend: 'disabled', connectionName: 'health-e2e' });
    await client.connect();
    try {
      const indicator = new CeleryHealthIndicator(new HealthIndicatorService());
      const up = await indicator.isHealthy('celery', { client, pingWorkers: [node] });
      expect(up.celery).toMatchObject({ status: 'up', workers: { [node]: 'up' } });
      const down = await indicator.isHealthy('celery', { client, pingWorkers: [node, 'gone@nowhere'], pingTimeoutMs: 500 });
      expect(down.celery).toMatchObject({ status: 'down', message: 'no ping reply from gone@nowhere', workers: { [node]: 'up', 'gone@nowhere': 'down' } });
    } finally {
      await client.close();
    }
  });

  // Redis only (RabbitMQ's heartbeats cover this case): a server that keeps the connections open but
  // stops answering (a half-open connection looks the same); defined for Redis only, not skipped
  const onRedis = name === 'Redis' ? it : () => undefined;
  onRedis('turns unhealthy while Redis keeps the connections but stops answering (CLIENT PAUSE), healthy after', async () => {
    // and a fanout consumer (broadcast, celeryev) of the test's own: its subscriber connection reads nothing, pings tell
    const watcher = new RedisBroker({ url: broker.url });
    await watcher.declare({
      exchanges: [{ name: 'health.broadcast', type: 'fanout' }],
      queues: [{ name: 'health.broadcast.watcher', autoDelete: true }],
      bindings: [{ exchange: 'health.broadcast', queue: 'health.broadcast.watcher', routingKey: '' }],
    });
    const fanout = await watcher.consume('health.broadcast.watcher', () => undefined, { prefetch: 0, noAck: true });
    expect(fanout.consuming).toBe(true);
    const redis = redisCheck(broker.url);
    try {
      await redis.client('PAUSE', 20_000, 'ALL');
    } finally {
      redis.disconnect();
    }
    let down: HealthBody | undefined;
    await eventually(
      async () => {
        // each consumer flags its own stalled read (list consumers after ~11 s, fanout ones by an unanswered ping within ~16 s)
        const { code, body } = await health();
        if (code === 503) down = body;
        return code === 503 && (body.error?.celery?.worker?.consumers.every((consumer) => !consumer.consuming) ?? false) && !fanout.consuming;
      },
      30_000,
      '/health to report the stalled consumers',
      () => billing.log.slice(-1500),
      250,
    );
    const celery = down!.error!.celery!;
    expect(celery.worker!.broker).toBe('connected');
    expect(celery.message).toMatch(/not consuming: .*billing\.sync/);
    await eventually(async () => (await health()).code === 200 && fanout.consuming === true, 40_000, '/health to recover after the pause', () => billing.log.slice(-1500), 250);
    await watcher.close();
    // (kombu leaves a fanout binding behind; the outage test below expects only the worker's)
    const cleanup = redisCheck(broker.url);
    await cleanup.del('_kombu.binding.health.broadcast').finally(() => cleanup.disconnect());
  });

  it(`turns unhealthy (503) while ${name} is stopped, and healthy again after, calls going through`, async () => {
    const bindings = name === 'Redis' ? await bindingKeys(broker.url) : [];
    await broker.stop();
    let down: HealthBody | undefined;
    await eventually(
      async () => {
        const { code, body } = await health();
        if (code === 503) down = body;
        return code === 503;
      },
      20_000,
      '/health to report the broker down',
    );
    expect(down!.status).toBe('error');
    const celery = down!.error!.celery!;
    expect(celery.status).toBe('down');
    expect(celery.message).toMatch(/worker broker connection is (reconnecting|connecting)/);
    expect(celery.worker!.consumers.every((consumer) => !consumer.consuming)).toBe(true);

    await broker.start();
    await eventually(async () => (await health()).code === 200, 60_000, '/health to recover', () => billing.log.slice(-1500), 250);
    const { body } = await health();
    expect(body.info?.celery).toMatchObject({ status: 'up', worker: { broker: 'connected' } });
    // Redis came back empty: the worker wrote its exchange bindings again before anyone else declared
    if (name === 'Redis') expect(await bindingKeys(broker.url)).toEqual(expect.arrayContaining(bindings));
    const client = new CeleryClient({ brokerUrl: broker.url, connectionName: 'health-e2e', services: ['billing'] });
    await client.connect();
    try {
      await (await client.sendTask('billing.sync.get_balance')).get({ timeout: 15_000 });
    } finally {
      await client.close();
    }
  });
});
