import { Account } from './account.js';
import { reversalOf, type JournalEntry, type Posting } from './journal-entry.js';
import { Ledger } from './ledger.js';
import { UnbalancedEntryError } from './ledger.errors.js';

const entry = (id: string, postings: Posting[]): JournalEntry => ({
  id,
  kind: 'sale',
  orderId: id,
  memo: 'test',
  postedAt: '2026-01-01T00:00:00.000Z',
  postings,
});

const sale = (id: string, net: number, tax: number) =>
  entry(id, [
    { account: Account.AccountsReceivable, side: 'debit', amountCents: net + tax },
    { account: Account.Revenue, side: 'credit', amountCents: net },
    { account: Account.SalesTaxPayable, side: 'credit', amountCents: tax },
  ]);

describe('Ledger', () => {
  it('posts a balanced entry and reports balances on each account’s normal side', () => {
    const ledger = new Ledger();
    expect(ledger.post(sale('o1', 1000, 200))).toBe(true);
    expect(ledger.balance(Account.AccountsReceivable)).toBe(1200);
    expect(ledger.balance(Account.Revenue)).toBe(1000);
    expect(ledger.balance(Account.SalesTaxPayable)).toBe(200);
    expect(ledger.trialBalance()).toMatchObject({ debitCents: 1200, creditCents: 1200, balanced: true });
    expect(ledger.size).toBe(1);
  });

  it('rejects an unbalanced entry with UnbalancedEntryError and posts nothing of it', () => {
    const ledger = new Ledger();
    const bad = entry('bad', [
      { account: Account.AccountsReceivable, side: 'debit', amountCents: 1000 },
      { account: Account.Revenue, side: 'credit', amountCents: 999 },
    ]);
    expect(() => ledger.post(bad)).toThrow(UnbalancedEntryError);
    expect(() => ledger.post(bad)).toThrow('debits 1000 ≠ credits 999');
    expect(ledger.size).toBe(0);
    expect(ledger.trialBalance()).toMatchObject({ debitCents: 0, creditCents: 0, balanced: true });
  });

  it.each([
    ['a single posting', [{ account: Account.Revenue, side: 'credit', amountCents: 1 }], 'at least two postings'],
    ['fractional cents', [
      { account: Account.AccountsReceivable, side: 'debit', amountCents: 1.5 },
      { account: Account.Revenue, side: 'credit', amountCents: 1.5 },
    ], 'positive integer cents'],
    ['a zero amount', [
      { account: Account.AccountsReceivable, side: 'debit', amountCents: 0 },
      { account: Account.Revenue, side: 'credit', amountCents: 0 },
    ], 'positive integer cents'],
    ['an unknown account', [
      { account: 'cash', side: 'debit', amountCents: 5 },
      { account: Account.Revenue, side: 'credit', amountCents: 5 },
    ], "unknown account 'cash'"],
    ['an unknown side', [
      { account: Account.AccountsReceivable, side: 'left', amountCents: 5 },
      { account: Account.Revenue, side: 'credit', amountCents: 5 },
    ], "side must be 'debit' or 'credit'"],
  ])('rejects %s', (_name, postings, message) => {
    expect(() => new Ledger().post(entry('x', postings as Posting[]))).toThrow(message);
  });

  it('posts an entry id once: a repeated post is a no-op returning false', () => {
    const ledger = new Ledger();
    ledger.post(sale('o1', 1000, 200));
    expect(ledger.post(sale('o1', 1000, 200))).toBe(false);
    expect(ledger.balance(Account.AccountsReceivable)).toBe(1200);
    expect(ledger.size).toBe(1);
    expect(ledger.has('o1')).toBe(true);
    expect(ledger.entry('o1')?.postings).toHaveLength(3);
  });

  it('a reversal brings every account back to zero and the journal keeps both entries', () => {
    const ledger = new Ledger();
    const original = sale('o1', 2860, 572);
    ledger.post(original);
    ledger.post(sale('o2', 100, 20));
    ledger.post(reversalOf(original, 'chargeback:o1', 'fraud', '2026-01-02T00:00:00.000Z'));
    expect(ledger.balance(Account.AccountsReceivable)).toBe(120);
    expect(ledger.balance(Account.Revenue)).toBe(100);
    expect(ledger.journal().map((e) => e.id)).toEqual(['o1', 'o2', 'chargeback:o1']);
    const trial = ledger.trialBalance();
    expect(trial.balanced).toBe(true);
    expect(trial.accounts[Account.AccountsReceivable]).toEqual({ debitCents: 2860 + 572 + 120, creditCents: 2860 + 572 });
  });
});

describe('reversalOf', () => {
  it('swaps every posting’s side and keeps the amounts', () => {
    const reversed = reversalOf(sale('o1', 10, 2), 'chargeback:o1', 'why', 'now');
    expect(reversed).toMatchObject({ id: 'chargeback:o1', kind: 'chargeback', orderId: 'o1', memo: 'why', postedAt: 'now' });
    expect(reversed.postings.map((p) => [p.account, p.side, p.amountCents])).toEqual([
      [Account.AccountsReceivable, 'credit', 12],
      [Account.Revenue, 'debit', 10],
      [Account.SalesTaxPayable, 'debit', 2],
    ]);
  });
});
