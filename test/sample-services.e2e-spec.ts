/**
 * The sample services (apps/order, apps/billing, apps/logistic) as three separate processes on
 * RabbitMQ, plus the Python pusher (real Celery 5.2.6): the order flow over HTTP and events
 * (`order.v1.submit` … on the services' topic exchanges, queues `<service>.<exchange>-events`), the
 * ledger through `billing.sync.*` tasks (convention routing), chargebacks, the invoice document
 * pushed to Python through the versioned `sendToS3` binding, and billing SIGKILLed and restarted
 * while 25 orders are placed (no posting lost or doubled). The same flow in one process on the
 * in-memory broker: sample-services.memory.e2e-spec.ts.
 */
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getBalance, trackShipment, type Invoice } from '@app/contracts';
import { CeleryClient } from 'nestjs-celery';
import type { Order } from '../apps/order/src/orders/index.js';
import { OrderApi } from './support/order-api.js';
import { BROKER_URL } from './support/broker-url.js';
import { startProcess, type ManagedProcess } from './support/child-process.js';
import { PUSHER_QUEUE, startPythonPusher } from './support/python-pusher.js';
import { deleteExchanges, deleteQueues, queueDepth } from './support/rabbitmq-admin.js';
import { SHOP_EXCHANGES, SHOP_QUEUES } from './support/sample-shop-topology.js';

const QUEUES = SHOP_QUEUES;
const EXCHANGES = SHOP_EXCHANGES;
const DISPATCH_DELAY_S = 3;

let dir: string;
let journal: string;
let bucket: string;
let base: string;
let port: number;
/** billing's and logistic's HTTP ports (/health, /metrics). */
const opsPorts = { billing: 0, logistic: 0 };
let billing: ManagedProcess;
let logistic: ManagedProcess;
let order: ManagedProcess;
let pusher: ManagedProcess;
let client: CeleryClient;

function startService(name: 'order' | 'billing' | 'logistic'): ManagedProcess {
  return startProcess(name, process.execPath, ['--import', '@swc-node/register/esm-register', `apps/${name}/src/main.ts`], {
    CELERY_BROKER_URL: BROKER_URL,
    BILLING_JOURNAL: journal,
    LOGISTIC_DISPATCH_DELAY_S: String(DISPATCH_DELAY_S),
    ORDER_PORT: String(port),
    BILLING_PORT: String(opsPorts.billing),
    LOGISTIC_PORT: String(opsPorts.logistic),
  });
}

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port: free } = server.address() as { port: number };
  server.close();
  return free;
}

const api = new OrderApi(() => base);
const http = api.request.bind(api);
const placeOrder = api.place.bind(api);

/** Polls GET /orders/:id until `done` holds. */
async function waitForOrder(orderId: string, done: (o: Order) => boolean, timeoutMs = 20_000): Promise<Order> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const { body } = await http<Order>('GET', `/orders/${orderId}`);
    if (done(body)) return body;
    if (Date.now() > until) throw new Error(`order ${orderId} stuck at ${body.status}\nbilling:\n${billing.log.slice(-2000)}\nlogistic:\n${logistic.log.slice(-2000)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sample-services-'));
  journal = join(dir, 'billing.journal.jsonl');
  bucket = join(dir, 'bucket');
  port = await freePort();
  opsPorts.billing = await freePort();
  opsPorts.logistic = await freePort();
  base = `http://127.0.0.1:${port}`;
  await deleteQueues(BROKER_URL, ...QUEUES, PUSHER_QUEUE);
  await deleteExchanges(BROKER_URL, ...EXCHANGES);
  // Consumers first: a topic exchange drops events no queue is bound for yet.
  billing = startService('billing');
  logistic = startService('logistic');
  await Promise.all([billing.waitFor('billing worker ready', 40_000), logistic.waitFor('logistic worker ready', 40_000)]);
  order = startService('order');
  pusher = await startPythonPusher(bucket);
  await order.waitFor('order service ready', 40_000);
  client = new CeleryClient({ brokerUrl: BROKER_URL, connectionName: 'sample-services-e2e', services: ['billing', 'logistic'] });
  await client.connect();
}, 90_000);

afterAll(async () => {
  await client?.close();
  await Promise.all([order?.stop(), billing?.stop(), logistic?.stop(), pusher?.stop()]);
  await deleteQueues(BROKER_URL, ...QUEUES, PUSHER_QUEUE);
  await deleteExchanges(BROKER_URL, ...EXCHANGES);
  rmSync(dir, { recursive: true, force: true });
}, 30_000);

describe('order HTTP API', () => {
  it('answers 400 with every violated rule, unknown properties included', async () => {
    const { status, body } = await http<{ message: string[] }>('POST', '/orders', { customer: '', lines: [{ itemId: 'x', quantity: 0, unitPrice: -1 }], coupon: 'FREE' });
    expect(status).toBe(400);
    expect(body.message).toEqual(expect.arrayContaining(['property coupon should not exist', 'customer should not be empty', 'lines.0.quantity must not be less than 1', 'lines.0.unitPrice must be a positive number']));
    expect((await http('POST', '/orders', { customer: 'a', lines: [] })).status).toBe(400);
  });

  it('answers 404 for unknown orders, their invoice and their chargeback', async () => {
    for (const [method, path] of [['GET', '/orders/nope'], ['GET', '/orders/nope/invoice'], ['POST', '/orders/nope/chargeback']] as const) {
      expect(await http(method, path)).toEqual({ status: 404, body: { statusCode: 404, message: 'order nope not found', error: 'Not Found' } });
    }
  });
});

describe('the order flow across order, billing, logistic and the Python pusher', () => {
  it('an order is invoiced (sale posted, invoice via billing.sync.get_invoice, document in the bucket) then dispatched', async () => {
    const placed = await placeOrder('ada@example.com');
    expect(placed.status).toBe('submitted');
    const invoiced = await waitForOrder(placed.orderId, (o) => o.status !== 'submitted');
    expect(invoiced.invoice).toEqual({ invoiceId: expect.any(String), total: 34.32 });
    const { status, body: invoice } = await http<Invoice>('GET', `/orders/${placed.orderId}/invoice`);
    expect(status).toBe(200);
    expect(invoice).toMatchObject({ orderId: placed.orderId, invoiceId: invoiced.invoice!.invoiceId, net: 28.6, tax: 5.72, total: 34.32, status: 'issued' });
    const dispatched = await waitForOrder(placed.orderId, (o) => o.status === 'dispatched');
    expect(dispatched.history.map((h) => h.status)).toEqual(['submitted', 'invoiced', 'dispatched']);
    expect(await client.task(trackShipment).call([placed.orderId], { timeout: 10_000 })).toMatchObject({ status: 'dispatched', shipmentId: dispatched.shipment!.shipmentId });
    const document = join(bucket, 'invoices', placed.orderId, `${invoice.invoiceId}.json`);
    await waitFor(() => existsSync(document + '.metadata.json'));
    expect(JSON.parse(readFileSync(document, 'utf8'))).toMatchObject({ orderId: placed.orderId, total: 34.32 });
    expect((await http<Order[]>('GET', '/orders')).body.map((o) => o.orderId)).toContain(placed.orderId);
  });

  it('a chargeback before dispatch reverses the sale (receivables back to zero) and cancels the shipment; a second one is 409', async () => {
    const before = await client.task(getBalance).call([], { timeout: 10_000 });
    const placed = await placeOrder('bob@example.com', 20);
    await waitForOrder(placed.orderId, (o) => o.status === 'invoiced');
    const charged = await http<Order>('POST', `/orders/${placed.orderId}/chargeback`, { reason: 'fraud' });
    expect(charged).toMatchObject({ status: 200, body: { status: 'charged_back', chargeback: { reason: 'fraud' } } });
    expect((await http<{ message: string }>('POST', `/orders/${placed.orderId}/chargeback`)).body).toMatchObject({ statusCode: 409, message: expect.stringContaining('already charged back') });
    await waitFor(async () => (await client.task(trackShipment).call([placed.orderId], { timeout: 10_000 }))?.status === 'cancelled');
    await waitFor(async () => (await client.task(getBalance).call([], { timeout: 10_000 })).chargedBack === before.chargedBack + 1);
    const after = await client.task(getBalance).call([], { timeout: 10_000 });
    expect(after.accounts).toEqual(before.accounts);
    expect(after).toMatchObject({ balanced: true, entries: before.entries + 2, invoices: before.invoices + 1 });
    expect((await http<Invoice>('GET', `/orders/${placed.orderId}/invoice`)).body.status).toBe('charged_back');
    // The delayed dispatch fires later and finds the shipment cancelled.
    await waitFor(() => logistic.log.includes(`logistic.async.dispatch ${placed.orderId}: not dispatched (cancelled)`), DISPATCH_DELAY_S * 1000 + 15_000);
    expect(await client.task(trackShipment).call([placed.orderId], { timeout: 10_000 })).toMatchObject({ status: 'cancelled' });
    expect((await http<Order>('GET', `/orders/${placed.orderId}`)).body.status).toBe('charged_back');
    expect(logistic.log).toContain(`logistic.async.dispatch ${placed.orderId}: not dispatched (cancelled)`);
  });

  it('billing SIGKILLed and restarted while 25 orders are placed: every order posted exactly once', async () => {
    const start = await client.task(getBalance).call([], { timeout: 10_000 });
    const placed: Order[] = [];
    // Orders keep coming while billing is killed (SIGKILL, possibly mid-posting) and restarted.
    const placing = (async () => {
      for (let i = 0; i < 24; i++) placed.push(await placeOrder(`kill-${i}@example.com`, 1 + i));
    })();
    await waitFor(() => placed.length >= 6, 20_000);
    billing.child.kill('SIGKILL');
    await once(billing.child, 'exit');
    // Orders are still taken while billing is down; they cannot be charged back yet.
    const whileDown = await placeOrder('down@example.com');
    placed.push(whileDown);
    expect((await http<{ message: string }>('POST', `/orders/${whileDown.orderId}/chargeback`)).body).toMatchObject({ statusCode: 409, message: expect.stringContaining('not invoiced yet') });
    expect(await http('GET', `/orders/${placed[0]!.orderId}/invoice`)).toEqual({
      status: 503,
      body: { statusCode: 503, message: 'billing could not be asked for the invoice: billing did not answer within 5 s; retry later', error: 'Service Unavailable' },
    });
    billing = startService('billing');
    await billing.waitFor('billing worker ready', 40_000);
    await placing;
    expect(placed).toHaveLength(25);
    const final = await Promise.all(placed.map((p) => waitForOrder(p.orderId, (o) => o.invoice !== undefined)));
    const balance = await client.task(getBalance).call([], { timeout: 10_000 });
    expect(balance.invoices - start.invoices).toBe(placed.length);
    expect(balance.entries - start.entries).toBe(placed.length);
    const billed = final.reduce((sum, o) => sum + o.invoice!.total, 0);
    expect(balance.accounts.accounts_receivable! - start.accounts.accounts_receivable!).toBeCloseTo(billed, 2);
    expect(balance.balanced).toBe(true);
    const lines = readFileSync(journal, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { op: string; entry: { orderId: string } });
    const sales = lines.filter((l) => l.op === 'sale').map((l) => l.entry.orderId);
    expect(new Set(sales).size).toBe(sales.length);
    expect(placed.filter((p) => sales.filter((id) => id === p.orderId).length === 1)).toHaveLength(25);
    expect(await queueDepth(BROKER_URL, 'billing.dead-letter')).toBe(0);
    expect(billing.log).toMatch(/replayed \d+ record\(s\)/);
  }, 60_000);
});

describe('shutdown', () => {
  it('logistic stops at once with dispatches still waiting for their countdown; they go back to the queue', async () => {
    const placed = await placeOrder('late@example.com');
    await waitFor(() => logistic.log.includes(`order.v1.submit ${placed.orderId}: shipment`));
    const started = Date.now();
    await logistic.stop(20_000);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(await queueDepth(BROKER_URL, 'logistic.async')).toBeGreaterThanOrEqual(1);
  });
});

async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > until) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
