import { Account } from '../ledger/index.js';
import { InvoiceBook } from './invoice-book.js';
import { fromCents, toCents } from './money.js';
import { buildChargeback, buildSale } from './sale.builder.js';

const order = {
  orderId: 'o1',
  customer: 'ada',
  lines: [
    { itemId: 'book', quantity: 2, unitPrice: 12.5 },
    { itemId: 'pen', quantity: 3, unitPrice: 1.2 },
  ],
};

describe('money', () => {
  it('converts to and from integer cents without float drift', () => {
    expect(toCents(1.2)).toBe(120);
    expect(toCents(0.1 + 0.2)).toBe(30);
    expect(toCents(45.99)).toBe(4599);
    expect(toCents(-1.005)).toBe(-100);
    expect(fromCents(3432)).toBe(34.32);
  });
});

describe('buildSale', () => {
  it('prices the order in cents and posts receivable = revenue + tax', () => {
    const { invoice, entry } = buildSale(order, 'inv-1', 0.2, 'now');
    expect(invoice).toMatchObject({ invoiceId: 'inv-1', orderId: 'o1', customer: 'ada', net: 28.6, tax: 5.72, total: 34.32, status: 'issued' });
    expect(entry.id).toBe('sale:o1');
    expect(entry.postings).toEqual([
      { account: Account.AccountsReceivable, side: 'debit', amountCents: 3432 },
      { account: Account.Revenue, side: 'credit', amountCents: 2860 },
      { account: Account.SalesTaxPayable, side: 'credit', amountCents: 572 },
    ]);
  });

  it('rounds the tax to cents and leaves out a zero tax posting', () => {
    const one = { ...order, lines: [{ itemId: 'x', quantity: 1, unitPrice: 0.05 }] };
    expect(buildSale(one, 'i', 0.2, 'now').entry.postings.map((p) => p.amountCents)).toEqual([6, 5, 1]);
    expect(buildSale(order, 'i', 0, 'now').entry.postings).toHaveLength(2);
  });

  it('copies only the line fields it knows into the invoice', () => {
    const extra = { ...order, lines: [{ itemId: 'x', quantity: 1, unitPrice: 1, secret: 1 } as never] };
    expect(buildSale(extra, 'i', 0, 'now').invoice.lines).toEqual([{ itemId: 'x', quantity: 1, unitPrice: 1 }]);
  });

  it('builds the chargeback as the exact reversal of the sale', () => {
    const { entry } = buildSale(order, 'inv-1', 0.2, 'now');
    const back = buildChargeback(entry, 'fraud', 'later');
    expect(back).toMatchObject({ id: 'chargeback:o1', kind: 'chargeback', memo: 'chargeback: fraud' });
    expect(back.postings.map((p) => p.side)).toEqual(['credit', 'debit', 'debit']);
  });
});

describe('InvoiceBook', () => {
  it('keeps one invoice per order and marks a chargeback once', () => {
    const book = new InvoiceBook();
    const { invoice } = buildSale(order, 'inv-1', 0.2, 'now');
    expect(book.add(invoice)).toBe(true);
    expect(book.add({ ...invoice, invoiceId: 'inv-2' })).toBe(false);
    expect(book.get('o1')?.invoiceId).toBe('inv-1');
    expect(book.markChargedBack('o1', 'later')).toBe(true);
    expect(book.markChargedBack('o1', 'again')).toBe(false);
    expect(book.markChargedBack('nope', 'x')).toBe(false);
    expect(book.get('o1')).toMatchObject({ status: 'charged_back', chargedBackAt: 'later' });
    expect(book.list()).toHaveLength(1);
    expect(book.size).toBe(1);
  });
});
