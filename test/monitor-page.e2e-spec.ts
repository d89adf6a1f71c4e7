/**
 * Issue 18, the monitoring page (`nestjs-celery/monitor`) in a real browser (Debian's headless
 * Chromium through playwright-core): the sample shop runs as separate processes (order with the
 * page at /celery, billing, logistic, and the Python pusher on real Celery 5.2.6); orders flow
 * through, a bad call fails, a task waiting for its ETA is revoked from the page. The page must
 * show those workers, their queues, the task counts, the failure with its traceback, and the
 * revoke must reach the workers. Once on RabbitMQ and once on a Redis broker (kombu's transport:
 * events on the `celeryev` fanout, depths from the lists and the `unacked` hash, consumers counted
 * from the workers' `active_queues`). Saves docs/monitor-page.png (the README shows it) and docs/monitor-page-redis.png.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CeleryClient, CeleryRemoteError } from 'nestjs-celery';
import type { MonitorSnapshot } from 'nestjs-celery/monitor';
import type { Page } from 'playwright-core';
import type { Order } from '../apps/order/src/orders/index.js';
import { BROKER_URL } from './support/broker-url.js';
import { startProcess, type ManagedProcess } from './support/child-process.js';
import { eventually } from './support/eventually.js';
import { freePort } from './support/free-port.js';
import { launchChromium } from './support/headless-chromium.js';
import { OrderApi } from './support/order-api.js';
import { PUSHER_QUEUE, startPythonPusher } from './support/python-pusher.js';
import { deleteExchanges, deleteQueues } from './support/rabbitmq-admin.js';
import { flushRedisDb, redisBrokerUrl } from './support/redis-broker.js';
import { SHOP_EXCHANGES, SHOP_QUEUES, SHOP_SERVICES } from './support/sample-shop-topology.js';

const SERVICES = SHOP_SERVICES;
const QUEUES = [...SHOP_QUEUES, 'logistic.billing-events', PUSHER_QUEUE];
const EXCHANGES = SHOP_EXCHANGES;
const SCREENSHOT = fileURLToPath(new URL('../docs/monitor-page.png', import.meta.url));

/** A broker the shop runs on, with how to empty it and how the page shows an idle queue consumed once. */
interface ShopBroker {
  readonly name: string;
  readonly url: string;
  clean(): Promise<void>;
  /** The queue row's text when nothing waits and one worker consumes it. */
  idleRow(queue: string): string;
  screenshot?: string;
}

const BROKERS: ShopBroker[] = [
  {
    name: 'RabbitMQ',
    url: BROKER_URL,
    clean: async () => {
      await deleteQueues(BROKER_URL, ...QUEUES);
      await deleteExchanges(BROKER_URL, ...EXCHANGES);
    },
    idleRow: (queue) => `${queue} 0 1`,
    screenshot: SCREENSHOT,
  },
  {
    // a database of its own on the e2e Redis (see redisBrokerUrl for the others)
    name: 'Redis',
    url: redisBrokerUrl(4),
    clean: () => flushRedisDb(redisBrokerUrl(4)),
    // ready, unacked (the unacked hash), consumers (from the workers' active_queues)
    idleRow: (queue) => `${queue} 0 0 1`,
    screenshot: fileURLToPath(new URL('../docs/monitor-page-redis.png', import.meta.url)),
  },
];

describe.each(BROKERS)('the Celery monitoring page of the sample shop on $name', (broker) => {
  let dir: string;
  let ports: Record<(typeof SERVICES)[number], number>;
  const services = new Map<string, ManagedProcess>();
  const nodeNames = new Map<string, string>();
  let pusher: ManagedProcess;
  let client: CeleryClient;
  let chromium: Awaited<ReturnType<typeof launchChromium>> | undefined;
  let page: Page;
  const api = new OrderApi(() => `http://127.0.0.1:${ports.order}`);
  const monitorUrl = () => `http://127.0.0.1:${ports.order}/celery`;

  function startService(name: (typeof SERVICES)[number]): ManagedProcess {
    const env = {
      CELERY_BROKER_URL: broker.url,
      BILLING_JOURNAL: join(dir, 'billing.journal.jsonl'),
      PUSHER_BUCKET_DIR: join(dir, 'bucket'),
      LOGISTIC_DISPATCH_DELAY_S: '1',
      ORDER_PORT: String(ports.order),
      BILLING_PORT: String(ports.billing),
      LOGISTIC_PORT: String(ports.logistic),
    };
    const service = startProcess(name, process.execPath, ['--import', '@swc-node/register/esm-register', `apps/${name}/src/main.ts`], env);
    services.set(name, service);
    return service;
  }

  /** The node name a sample service printed when ready (`billing worker ready: nest123@host ...`, `order service ready: ... (worker nest124@host; ...`). */
  function nodeNameOf(name: string): string {
    const known = nodeNames.get(name);
    if (known) return known;
    const found = new RegExp(`${name} (?:worker|service) ready: .*?([\\w.-]+@[\\w.-]+)`).exec(services.get(name)!.log);
    expect(found).not.toBeNull();
    const hostname = found![1]!;
    nodeNames.set(name, hostname);
    return hostname;
  }

  async function snapshot(): Promise<MonitorSnapshot> {
    return (await (await fetch(`${monitorUrl()}/api/state`)).json()) as MonitorSnapshot;
  }

  /** The text of the page's table rows that carry `attribute="value"`. */
  async function rowText(attribute: string, value: string): Promise<string> {
    return (await page.locator(`[${attribute}="${value}"]`).first().innerText()).replace(/\s+/g, ' ');
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'monitor-page-'));
    ports = { order: await freePort(), billing: await freePort(), logistic: await freePort() };
    await broker.clean();
    // Consumers of order's events first: a topic exchange drops events no queue is bound for yet.
    const billing = startService('billing');
    const logistic = startService('logistic');
    await Promise.all([billing.waitFor('billing worker ready', 60_000), logistic.waitFor('logistic worker ready', 60_000)]);
    const order = startService('order');
    pusher = await startPythonPusher(join(dir, 'bucket'), broker.url);
    await order.waitFor('order service ready', 60_000);
    client = new CeleryClient({ brokerUrl: broker.url, connectionName: 'monitor-page-e2e', services: ['billing'] });
    await client.connect();
    // The monitor asks every worker for task events at each refresh: wait until it saw them all.
    const expected = [...SERVICES.map(nodeNameOf)];
    await eventually(
      async () => {
        const workers = (await snapshot()).workers;
        // online and answered `inspect active_queues` (a heartbeat alone does not tell the queues)
      const seen = (w: MonitorSnapshot['workers'][number]) => w.status === 'online' && w.queues.length > 0;
      return expected.every((node) => workers.some((w) => w.hostname === node && seen(w))) && workers.some((w) => w.hostname.startsWith('pusher-') && seen(w));
      },
      30_000,
      'the monitor to see every worker',
      () => '',
      250,
    );
    chromium = await launchChromium();
    page = await chromium.context.newPage();
  }, 180_000);

  afterAll(async () => {
    await chromium?.close();
    await client?.close();
    await Promise.all([...[...services.values()].map((s) => s.stop()), pusher?.stop()]);
    await broker.clean();
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  let failedId: string;
  let failure: CeleryRemoteError;
  let revokedId: string;

  it('shows the work that happened: orders through billing and the Python pusher, calls, a failure', async () => {
    const orders: Order[] = [];
    for (const customer of ['ada@example.com', 'grace@example.com', 'alan@example.com']) orders.push(await api.place(customer));
    for (const placed of orders) {
      await eventually(
        async () => (await api.request<Order>('GET', `/orders/${placed.orderId}`)).body.status === 'dispatched',
        30_000,
        `order ${placed.orderId} dispatched`,
      );
    }
    for (let i = 0; i < 5; i++) await (await client.sendTask('billing.sync.get_balance')).get({ timeout: 10_000 });
    const bad = await client.sendTask('billing.sync.get_balance', ['unexpected']);
    failedId = bad.id;
    failure = (await bad.get({ timeout: 10_000 }).catch((error: unknown) => error)) as CeleryRemoteError;
    expect(failure).toBeInstanceOf(CeleryRemoteError);

    await page.goto(monitorUrl());
    await page.locator(`[data-failure="${failedId}"]`).waitFor({ timeout: 15_000 });
    await page.locator('[data-task="billing.sync.get_balance"]').waitFor({ timeout: 15_000 });

    // workers: the three Nest services and the Python pusher, online, with their queues
    for (const name of SERVICES) expect(await rowText('data-worker', nodeNameOf(name))).toMatch(new RegExp(`online nestjs-celery .*${name}\\.sync`));
    const pythonWorker = (await snapshot()).workers.find((w) => w.hostname.startsWith('pusher-'))!;
    expect(await rowText('data-worker', pythonWorker.hostname)).toMatch(/online .*pusher/);

    // queues: each consumed by one worker, nothing left waiting
    for (const queue of ['billing.sync', 'logistic.sync', 'order.sync', PUSHER_QUEUE]) expect(await rowText('data-queue', queue)).toBe(broker.idleRow(queue));
    // where the broker keeps no consumer count (Redis), the page says the workers were counted
    expect(await page.locator('#queues-note').isVisible()).toBe(broker.name === 'Redis');

    // task rates: 5 good calls and the bad one received, 5 succeeded, 1 failed
    await eventually(async () => (await rowText('data-task', 'billing.sync.get_balance')) === 'billing.sync.get_balance 6 5 1 0 6', 10_000, 'the rate row');
    // the invoices went to the Python pusher: one task each, seen through its task events
    // (eventually: an order is dispatched before its invoice is pushed, and Celery may buffer task events)
    const pushed = async () => (await snapshot()).rates.filter((rate) => rate.task.startsWith('pusher.')).reduce((sum, rate) => sum + rate.succeeded, 0);
    await eventually(async () => (await pushed()) === orders.length, 15_000, 'the pusher task events');
    expect(await pushed()).toBe(orders.length);

    // the failure, with the exception the caller got and a traceback
    const shown = await page.locator(`[data-failure="${failedId}"]`).innerText();
    expect(shown).toContain('billing.sync.get_balance');
    expect(shown).toContain(failure.message.split('\n')[0]!.slice(0, 40));
    expect(await page.locator(`[data-failure="${failedId}"] pre`).innerText()).toMatch(/\S/);
  });

  it('revokes a task from the page: the workers get the revoke', async () => {
    const waiting = await client.sendTask('billing.sync.get_balance', [], {}, { countdown: 300 });
    revokedId = waiting.id;
    const button = page.locator(`button[data-revoke="${revokedId}"]`);
    await button.waitFor({ timeout: 15_000 });
    expect(await rowText('data-task-id', revokedId)).toMatch(/billing\.sync\.get_balance .* RECEIVED/);
    await button.click();
    await page.locator('#revoke-result', { hasText: `revoked ${revokedId}` }).waitFor({ timeout: 10_000 });
    const billingNode = nodeNameOf('billing');
    await eventually(
      async () => ((await client.control.inspect({ destination: [billingNode] }).revoked())[billingNode] ?? []).includes(revokedId),
      10_000,
      'billing to list the task as revoked',
    );
    await eventually(async () => (await rowText('data-task-id', revokedId)).includes('REVOKED'), 10_000, 'the page to show REVOKED');
    if (broker.screenshot) await page.screenshot({ path: broker.screenshot, fullPage: true });
  });
});
