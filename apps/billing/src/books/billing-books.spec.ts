import { Account } from '../ledger/index.js';
import { BillingBooks } from './billing-books.js';
import type { BillingRecord } from './billing-record.js';

const order = (orderId: string, unitPrice = 10) => ({ orderId, customer: 'ada', lines: [{ itemId: 'x', quantity: 2, unitPrice }] });

/** Plans and applies, as the service does. */
function sell(books: BillingBooks, orderId: string, unitPrice = 10): BillingRecord | undefined {
  const record = books.planSale(order(orderId, unitPrice), `inv-${orderId}`, 0.2, 'now');
  if (record) books.apply(record);
  return record;
}

describe('BillingBooks', () => {
  it('plans a sale once per order: a second submit of the same order plans nothing', () => {
    const books = new BillingBooks();
    expect(sell(books, 'o1')?.op).toBe('sale');
    expect(sell(books, 'o1')).toBeUndefined();
    expect(books.invoice('o1')?.invoiceId).toBe('inv-o1');
    expect(books.balance()).toMatchObject({ entries: 1, invoices: 1, debits: 24, credits: 24, balanced: true });
  });

  it('a chargeback reverses the sale exactly, once; balances go back to zero', () => {
    const books = new BillingBooks();
    sell(books, 'o1');
    const outcome = books.planChargeback('o1', 'fraud', 'later');
    expect(outcome.kind).toBe('record');
    if (outcome.kind === 'record') books.apply(outcome.record);
    expect(books.planChargeback('o1', 'fraud', 'again')).toEqual({ kind: 'already-reversed' });
    expect(books.planChargeback('o2', 'fraud', 'x')).toEqual({ kind: 'no-sale' });
    const balance = books.balance();
    expect(balance.accounts).toEqual({ [Account.AccountsReceivable]: 0, [Account.Revenue]: 0, [Account.SalesTaxPayable]: 0 });
    expect(balance).toMatchObject({ entries: 2, invoices: 1, chargedBack: 1, balanced: true, debits: 48, credits: 48 });
    expect(books.invoice('o1')).toMatchObject({ status: 'charged_back', chargedBackAt: 'later' });
  });

  it('replaying the same records (also twice) rebuilds identical books', () => {
    const books = new BillingBooks();
    const records: BillingRecord[] = [sell(books, 'o1')!, sell(books, 'o2', 3.33)!];
    const back = books.planChargeback('o1', 'r', 't');
    if (back.kind === 'record') {
      books.apply(back.record);
      records.push(back.record);
    }
    const replayed = new BillingBooks();
    for (const record of [...records, ...records]) replayed.apply(JSON.parse(JSON.stringify(record)) as BillingRecord);
    expect(replayed.balance()).toEqual(books.balance());
    expect(replayed.ledger.journal()).toEqual(books.ledger.journal());
  });

  it('keeps many orders balanced to the cent', () => {
    const books = new BillingBooks();
    for (let i = 0; i < 200; i++) sell(books, `o${i}`, 0.01 * (i + 1));
    const balance = books.balance();
    expect(balance.balanced).toBe(true);
    expect(balance.accounts[Account.AccountsReceivable]).toBeCloseTo(balance.accounts[Account.Revenue]! + balance.accounts[Account.SalesTaxPayable]!, 10);
  });
});
