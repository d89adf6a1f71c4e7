import { getBalance, trackShipment, type LedgerBalance, type OrderLine, type Shipment } from '@app/contracts';
import type { CeleryClient } from 'nestjs-celery';
import type { Order } from '../orders/index.js';

/** What the demo did, for its summary. */
export interface DemoSummary {
  orders: Order[];
  balance: LedgerBalance;
  shipments: Array<Shipment | null>;
  /** The checks that held (true) or failed (false). */
  checks: Record<string, boolean>;
}

const receivable = (balance: LedgerBalance): number => balance.accounts.accounts_receivable ?? NaN;

/** An order the API must refuse (400): no customer, a zero quantity, a negative price. */
export const INVALID_DEMO_ORDER = { customer: '', lines: [{ itemId: 'ghost', quantity: 0, unitPrice: -1 }] };

/** The orders the demo places: the last one is charged back before it ships. */
export const DEMO_ORDERS: Array<{ customer: string; lines: OrderLine[] }> = [
  { customer: 'ada@example.com', lines: [{ itemId: 'book', quantity: 2, unitPrice: 12.5 }, { itemId: 'pen', quantity: 3, unitPrice: 1.2 }] },
  { customer: 'grace@example.com', lines: [{ itemId: 'lamp', quantity: 1, unitPrice: 45.99 }] },
  { customer: 'mallory@example.com', lines: [{ itemId: 'phone', quantity: 1, unitPrice: 599 }] },
];

/**
 * Drives the sample services like a customer would: places orders over HTTP (and one invalid order,
 * refused with 400), waits for them to be invoiced and dispatched, charges one back before it
 * ships, then checks billing's ledger (`billing.sync.get_balance`) and logistic's shipments
 * (`logistic.sync.track`). The client must know the `billing` and `logistic` services
 * (`new CeleryClient({ services: ['billing', 'logistic'] })`). Its own lines start with `[demo]`.
 */
export class OrderDemoDriver {
  constructor(
    private readonly baseUrl: string,
    private readonly celery: CeleryClient,
    private readonly print: (line: string) => void = (line) => console.log(line),
    private readonly timeoutMs = 30_000,
  ) {}

  /** Places the demo orders, charges the last one back, waits for the flow and checks the outcome. */
  async run(): Promise<DemoSummary> {
    // Billing's journal outlives a run: compare against where the ledger stood before.
    const before = await this.celery.task(getBalance).call([], { timeout: 10_000 });
    const placed: Order[] = [];
    for (const body of DEMO_ORDERS) {
      const order = await this.request<Order>('POST', '/orders', body);
      this.step(`POST /orders (${body.customer}) → 201 ${order.orderId} ${order.status}`);
      placed.push(order);
    }
    const refused = await fetch(`${this.baseUrl}/orders`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(INVALID_DEMO_ORDER) });
    const refusal = (await refused.json()) as { message: string[] | string };
    this.step(`POST /orders (invalid) → ${refused.status} ${[refusal.message].flat().join('; ')}`);
    const fraud = placed[placed.length - 1]!;
    await this.waitFor(fraud.orderId, (o) => o.status !== 'submitted');
    const charged = await this.request<Order>('POST', `/orders/${fraud.orderId}/chargeback`, { reason: 'card reported stolen' });
    this.step(`POST /orders/${fraud.orderId}/chargeback → 200 ${charged.status}`);
    const again = await fetch(`${this.baseUrl}/orders/${fraud.orderId}/chargeback`, { method: 'POST' });
    this.step(`POST /orders/${fraud.orderId}/chargeback again → ${again.status} ${((await again.json()) as { message: string }).message}`);
    const orders: Order[] = [];
    for (const order of placed.slice(0, -1)) orders.push(await this.waitFor(order.orderId, (o) => o.status === 'dispatched'));
    orders.push(await this.request<Order>('GET', `/orders/${fraud.orderId}`));
    const invoice = await this.request<{ total: number; invoiceId: string }>('GET', `/orders/${placed[0]!.orderId}/invoice`);
    this.step(`GET /orders/${placed[0]!.orderId}/invoice → 200 invoice ${invoice.invoiceId.slice(0, 8)} total ${invoice.total.toFixed(2)} (billing.sync.get_invoice)`);
    const balance = await this.settledBalance(before.chargedBack + 1);
    const reversed = await this.request<{ status: string }>('GET', `/orders/${fraud.orderId}/invoice`);
    const shipments = await Promise.all(orders.map((o) => this.celery.task(trackShipment).call([o.orderId], { timeout: 10_000 })));
    const billed = orders.filter((o) => o.status !== 'charged_back').reduce((sum, o) => sum + (o.invoice?.total ?? 0), 0);
    const checks = {
      'invalid order refused with 400': refused.status === 400,
      'every order invoiced': orders.every((o) => o.invoice !== undefined),
      'orders not charged back are dispatched': orders.slice(0, -1).every((o) => o.status === 'dispatched'),
      'charged-back order is charged_back': orders[orders.length - 1]!.status === 'charged_back',
      'charged-back shipment cancelled': shipments[shipments.length - 1]?.status === 'cancelled',
      'ledger balances (trial balance: debits = credits)': balance.balanced,
      "charged-back order's invoice reversed": reversed.status === 'charged_back',
      'receivables grew by the invoiced totals not charged back (charged-back receivable back to zero)':
        Math.abs(receivable(balance) - receivable(before) - billed) < 0.005,
    };
    return { orders, balance, shipments, checks };
  }

  /** Prints the summary; returns true when every check held. */
  report(summary: DemoSummary): boolean {
    const { orders, balance, shipments, checks } = summary;
    this.print('\nsummary');
    orders.forEach((o, i) =>
      this.print(`  order ${o.orderId.slice(0, 8)} ${o.customer.padEnd(20)} ${o.status.padEnd(12)} invoice ${o.invoice?.total.toFixed(2) ?? '-'}  shipment ${shipments[i]?.status ?? '-'}`),
    );
    this.print(`  ledger: ${Object.entries(balance.accounts).map(([a, v]) => `${a} ${v.toFixed(2)}`).join(', ')}`);
    this.print(`          debits ${balance.debits.toFixed(2)} = credits ${balance.credits.toFixed(2)}, ${balance.entries} entries, ${balance.invoices} invoices (${balance.chargedBack} charged back)`);
    for (const [check, ok] of Object.entries(checks)) this.print(`  ${ok ? 'ok  ' : 'FAIL'} ${check}`);
    return Object.values(checks).every(Boolean);
  }

  private step(text: string): void {
    this.print(`${'[demo]'.padEnd(11)}${text}`);
  }

  /** The balance once billing has seen `chargedBack` chargebacks (events are asynchronous). */
  private async settledBalance(chargedBack: number): Promise<LedgerBalance> {
    const until = Date.now() + this.timeoutMs;
    for (;;) {
      const balance = await this.celery.task(getBalance).call([], { timeout: 10_000 });
      if (balance.chargedBack >= chargedBack || Date.now() > until) return balance;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  private async waitFor(orderId: string, done: (o: Order) => boolean): Promise<Order> {
    const until = Date.now() + this.timeoutMs;
    for (;;) {
      const order = await this.request<Order>('GET', `/orders/${orderId}`);
      if (done(order)) return order;
      if (Date.now() > until) throw new Error(`[demo] order ${orderId} is still ${order.status} after ${this.timeoutMs} ms; are billing and logistic running?`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  private async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(this.baseUrl + path, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = (await response.json()) as T;
    if (!response.ok) throw new Error(`[demo] ${method} ${path} → ${response.status} ${JSON.stringify(json)}`);
    return json;
  }
}
