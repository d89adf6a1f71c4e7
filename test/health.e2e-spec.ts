/**
 * Issue 18, health: the billing sample service (a worker with an HTTP side, run as its own
 * process) serves `/health` through `nestjs-celery/health`. On a private RabbitMQ node (never the
 * shared one): healthy, unhealthy while the broker is stopped (503, the worker's connection and
 * consumers and the client reported down), healthy again once it is back. The indicator's remote
 * ping of named workers, through a client, against the running billing worker.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HealthIndicatorService } from '@nestjs/terminus';
import { CeleryClient } from 'nestjs-celery';
import { CeleryHealthIndicator } from 'nestjs-celery/health';
import { startProcess, type ManagedProcess } from './support/child-process.js';
import { eventually } from './support/eventually.js';
import { freePort } from './support/free-port.js';
import { PrivateRabbitMq } from './support/private-rabbitmq.js';

interface HealthBody {
  status: 'ok' | 'error';
  info?: Record<string, unknown>;
  error?: Record<string, { status: string; message?: string; worker?: { broker: string; consumers: Array<{ queue: string; consuming: boolean }> } }>;
}

let rabbit: PrivateRabbitMq;
let billing: ManagedProcess;
let port: number;
let dir: string;

async function health(): Promise<{ code: number; body: HealthBody }> {
  const response = await fetch(`http://127.0.0.1:${port}/health`);
  return { code: response.status, body: (await response.json()) as HealthBody };
}

beforeAll(async () => {
  rabbit = await PrivateRabbitMq.start();
  port = await freePort();
  dir = mkdtempSync(join(tmpdir(), 'health-e2e-'));
  billing = startProcess('billing', process.execPath, ['--import', '@swc-node/register/esm-register', 'apps/billing/src/main.ts'], {
    CELERY_BROKER_URL: rabbit.url(),
    BILLING_PORT: String(port),
    BILLING_JOURNAL: join(dir, 'billing.journal.jsonl'),
    BILLING_PUSH_INVOICES: '0',
  });
  await billing.waitFor('billing worker ready', 60_000);
}, 180_000);

afterAll(async () => {
  await billing?.stop();
  await rabbit?.dispose();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('/health of a sample service (nestjs-celery/health)', () => {
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
    const client = new CeleryClient({ brokerUrl: rabbit.url(), resultBackend: 'disabled', connectionName: 'health-e2e' });
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

  it('turns unhealthy (503) while RabbitMQ is stopped, and healthy again after', async () => {
    await rabbit.stopApp();
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

    await rabbit.startApp();
    await eventually(async () => (await health()).code === 200, 60_000, '/health to recover', () => billing.log.slice(-1500), 250);
    const { body } = await health();
    expect(body.info?.celery).toMatchObject({ status: 'up', worker: { broker: 'connected' } });
  });
});
