import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import type { BillingEventsPublisher } from './billing-events.publisher.js';
import { BillingService } from './billing.service.js';
import type { InvoicePusher } from './invoice.pusher.js';

const submit = (orderId: string) => ({
  orderId,
  customer: 'ada',
  lines: [{ itemId: 'book', quantity: 2, unitPrice: 12.5 }],
  submittedAt: '2026-01-01T00:00:00.000Z',
});

describe('BillingService', () => {
  let dir: string;
  let journalPath: string;
  let published: unknown[];
  let pushed: string[];
  const services: BillingService[] = [];

  function start(pushInvoices = true): BillingService {
    const events = { invoiced: async (p: unknown) => void published.push(p) } as unknown as BillingEventsPublisher;
    const pusher = { push: async (invoice: { orderId: string }) => (pushed.push(invoice.orderId), `k/${invoice.orderId}`) } as unknown as InvoicePusher;
    const service = new BillingService({ journalPath, taxRate: 0.2, pushInvoices }, events, pusher);
    service.onModuleInit();
    services.push(service);
    return service;
  }

  beforeAll(() => Logger.overrideLogger(false));
  afterAll(() => Logger.overrideLogger(['log', 'warn', 'error']));
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'billing-service-'));
    journalPath = join(dir, 'journal.jsonl');
    published = [];
    pushed = [];
  });
  afterEach(() => {
    for (const service of services.splice(0)) service.onModuleDestroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('posts the sale, journals it, publishes billing.v1.invoiced and pushes the invoice', async () => {
    const billing = start();
    const invoiced = await billing.onOrderSubmitted(submit('o1'));
    expect(invoiced).toEqual({ orderId: 'o1', invoiceId: billing.invoice('o1')!.invoiceId, total: 30 });
    expect(published).toEqual([invoiced]);
    expect(pushed).toEqual(['o1']);
    expect(readFileSync(journalPath, 'utf8').trim().split('\n')).toHaveLength(1);
    expect(billing.balance()).toMatchObject({ accounts: { accounts_receivable: 30, revenue: 25, sales_tax_payable: 5 }, balanced: true });
  });

  it('a redelivered submit posts nothing but publishes the same invoice again', async () => {
    const billing = start();
    const first = await billing.onOrderSubmitted(submit('o1'));
    const second = await billing.onOrderSubmitted(submit('o1'));
    expect(second).toEqual(first);
    expect(published).toEqual([first, first]);
    expect(billing.balance()).toMatchObject({ entries: 1, invoices: 1 });
    expect(readFileSync(journalPath, 'utf8').trim().split('\n')).toHaveLength(1);
  });

  it('a restart replays the journal: nothing lost, a redelivery after the restart posts nothing', async () => {
    const before = start();
    await before.onOrderSubmitted(submit('o1'));
    await before.onOrderSubmitted(submit('o2'));
    before.onOrderChargedBack({ orderId: 'o1', reason: 'fraud' });
    const balance = before.balance();
    before.onModuleDestroy();
    const after = start();
    expect(after.balance()).toEqual(balance);
    await after.onOrderSubmitted(submit('o2'));
    expect(after.onOrderChargedBack({ orderId: 'o1', reason: 'fraud' })).toBe('already-reversed');
    expect(after.balance()).toEqual(balance);
    expect(after.invoice('o1')?.status).toBe('charged_back');
  });

  it('a chargeback reverses to zero; one for an order never sold posts nothing', async () => {
    const billing = start(false);
    await billing.onOrderSubmitted(submit('o1'));
    expect(pushed).toEqual([]);
    expect(billing.onOrderChargedBack({ orderId: 'o1', reason: 'fraud' })).toBe('reversed');
    expect(billing.onOrderChargedBack({ orderId: 'zz', reason: 'fraud' })).toBe('no-sale');
    expect(billing.balance()).toMatchObject({ accounts: { accounts_receivable: 0, revenue: 0, sales_tax_payable: 0 }, entries: 2, chargedBack: 1 });
    expect(billing.invoice('zz')).toBeNull();
  });

  it('a payload that cannot be priced fails without posting or journaling anything', async () => {
    const billing = start();
    const bad = { ...submit('o1'), lines: [{ itemId: 'x', quantity: 'two' as unknown as number, unitPrice: 1 }] };
    await expect(billing.onOrderSubmitted(bad)).rejects.toThrow('positive integer cents');
    expect(billing.balance().entries).toBe(0);
    expect(readFileSync(journalPath, 'utf8')).toBe('');
    expect(published).toEqual([]);
  });
});
