/**
 * The sample services in memory mode: order, billing and logistic as three Nest applications in
 * this process (the embedded demo's composition, apps/demo/src/embedded-services.ts), each with
 * its own connection to one in-memory vhost; driven over HTTP on localhost. No RabbitMQ, no Python.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import { getBalance, trackShipment, type Invoice } from '@app/contracts';
import { CeleryClient, MemoryVhost } from 'nestjs-celery';
import { awaitIdle } from 'nestjs-celery/testing';
import { EmbeddedServices } from '../apps/demo/src/embedded-services.js';
import type { Order } from '../apps/order/src/orders/index.js';
import { OrderApi } from './support/order-api.js';

const VHOST = `sample-services-${randomUUID()}`;
const BROKER_URL = `memory://${VHOST}`;
const DISPATCH_DELAY_S = 1;

let dir: string;
let journal: string;
let services: EmbeddedServices;
let client: CeleryClient;
const logs: string[] = [];

const api = new OrderApi(() => services.orderUrl);
const http = api.request.bind(api);
const placeOrder = api.place.bind(api);

async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > until) throw new Error(`condition not met within ${timeoutMs} ms\n${logs.slice(-30).join('\n')}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function waitForOrder(orderId: string, done: (o: Order) => boolean): Promise<Order> {
  let order: Order | undefined;
  await waitFor(async () => done((order = (await http<Order>('GET', `/orders/${orderId}`)).body)));
  return order!;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sample-services-memory-'));
  journal = join(dir, 'billing.journal.jsonl');
  const logger = {
    log: (message: unknown, context?: string) => void logs.push(`${context} ${String(message)}`),
    warn: (message: unknown, context?: string) => void logs.push(`WARN ${context} ${String(message)}`),
    error: (message: unknown, ...rest: unknown[]) => void logs.push(`ERROR ${String(message)} ${rest.join(' ')}`),
  };
  services = await EmbeddedServices.start({ brokerUrl: BROKER_URL, port: 0, journalPath: journal, pushInvoices: false, dispatchDelaySeconds: DISPATCH_DELAY_S, logger });
  client = new CeleryClient({ brokerUrl: BROKER_URL, services: ['billing', 'logistic'], connectionName: 'sample-services-memory-e2e' });
  await client.connect();
}, 30_000);

afterAll(async () => {
  await client?.close();
  await services?.close();
  Logger.overrideLogger(['log', 'warn', 'error']);
  MemoryVhost.resetShared(VHOST);
  rmSync(dir, { recursive: true, force: true });
});

describe('sample services on the in-memory broker (one process, three Nest applications)', () => {
  it('each service consumes its convention and event queues on the shared vhost', () => {
    const queues = MemoryVhost.shared(VHOST).queueNames();
    expect(queues).toEqual(
      expect.arrayContaining(['billing.sync', 'billing.async', 'billing.order-events', 'logistic.sync', 'logistic.async', 'logistic.order-events', 'order.billing-events', 'order.logistic-events']),
    );
  });

  it('answers 400 for an invalid order and 404 for an unknown one', async () => {
    const { status, body } = await http<{ message: string[] }>('POST', '/orders', { customer: '', lines: [{ itemId: 'x', quantity: 0, unitPrice: -1 }] });
    expect(status).toBe(400);
    expect(body.message).toEqual(expect.arrayContaining(['customer should not be empty', 'lines.0.quantity must not be less than 1']));
    expect((await http('GET', '/orders/nope')).status).toBe(404);
  });

  it('an order is invoiced (invoice via billing.sync.get_invoice) and then dispatched', async () => {
    const placed = await placeOrder('ada@example.com');
    const invoiced = await waitForOrder(placed.orderId, (o) => o.invoice !== undefined);
    expect(invoiced.invoice).toEqual({ invoiceId: expect.any(String), total: 34.32 });
    const { status, body: invoice } = await http<Invoice>('GET', `/orders/${placed.orderId}/invoice`);
    expect(status).toBe(200);
    expect(invoice).toMatchObject({ orderId: placed.orderId, net: 28.6, tax: 5.72, total: 34.32, status: 'issued' });
    const dispatched = await waitForOrder(placed.orderId, (o) => o.status === 'dispatched');
    expect(dispatched.history.map((h) => h.status)).toEqual(['submitted', 'invoiced', 'dispatched']);
    expect(await client.task(trackShipment).call([placed.orderId], { timeout: 5_000 })).toMatchObject({ status: 'dispatched', shipmentId: dispatched.shipment!.shipmentId });
    expect(logs).toEqual(expect.arrayContaining([expect.stringMatching(new RegExp(`^billing order\\.v1\\.submit ${placed.orderId}: posted sale`))]));
  });

  it('a chargeback reverses the ledger (receivables back to where they were) and cancels the shipment; a second one is 409', async () => {
    const before = await client.task(getBalance).call([], { timeout: 5_000 });
    const placed = await placeOrder('bob@example.com', 20);
    await waitForOrder(placed.orderId, (o) => o.status === 'invoiced');
    expect(await http<Order>('POST', `/orders/${placed.orderId}/chargeback`, { reason: 'fraud' })).toMatchObject({ status: 200, body: { status: 'charged_back' } });
    expect((await http<{ message: string }>('POST', `/orders/${placed.orderId}/chargeback`)).body).toMatchObject({ statusCode: 409, message: expect.stringContaining('already charged back') });
    await waitFor(async () => (await client.task(getBalance).call([], { timeout: 5_000 })).chargedBack === before.chargedBack + 1);
    const after = await client.task(getBalance).call([], { timeout: 5_000 });
    expect(after.accounts).toEqual(before.accounts);
    expect(after).toMatchObject({ balanced: true, entries: before.entries + 2, invoices: before.invoices + 1 });
    expect(await client.task(trackShipment).call([placed.orderId], { timeout: 5_000 })).toMatchObject({ status: 'cancelled' });
    await waitFor(() => logs.some((l) => l.includes(`logistic.async.dispatch ${placed.orderId}: not dispatched (cancelled)`)));
    expect((await http<Order>('GET', `/orders/${placed.orderId}`)).body.status).toBe('charged_back');
  });

  it('10 orders at once: each posted exactly once (ledger and journal), all dispatched; nothing left queued, nothing sent to the absent pusher', async () => {
    const start = await client.task(getBalance).call([], { timeout: 5_000 });
    const placed = await Promise.all(Array.from({ length: 10 }, (_, i) => placeOrder(`batch-${i}@example.com`, 1 + i)));
    const final = await Promise.all(placed.map((p) => waitForOrder(p.orderId, (o) => o.status === 'dispatched')));
    const balance = await client.task(getBalance).call([], { timeout: 5_000 });
    expect(balance.invoices - start.invoices).toBe(10);
    expect(balance.entries - start.entries).toBe(10);
    expect(balance.accounts.accounts_receivable! - start.accounts.accounts_receivable!).toBeCloseTo(final.reduce((sum, o) => sum + o.invoice!.total, 0), 2);
    const sales = readFileSync(journal, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { op: string; entry: { orderId: string } }).filter((l) => l.op === 'sale').map((l) => l.entry.orderId);
    expect(new Set(sales).size).toBe(sales.length);
    for (const p of placed) expect(sales).toContain(p.orderId);
    const vhost = MemoryVhost.shared(VHOST);
    await awaitIdle(vhost, { queues: ['billing.order-events', 'logistic.order-events', 'logistic.async', 'order.billing-events', 'order.logistic-events'] });
    expect(vhost.inspectQueue('pusher')).toBeUndefined();
    expect(vhost.published().filter((m) => m.routingKey === 'pusher' || m.exchange === 'pusher')).toEqual([]);
    expect(logs.filter((l) => l.startsWith('ERROR'))).toEqual([]);
  });
});
