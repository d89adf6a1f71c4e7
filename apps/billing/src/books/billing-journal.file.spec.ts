import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BillingBooks } from './billing-books.js';
import { BillingJournalFile, CorruptJournalError } from './billing-journal.file.js';

describe('BillingJournalFile', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'billing-journal-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const record = (orderId: string) => new BillingBooks().planSale({ orderId, customer: 'c', lines: [{ itemId: 'i', quantity: 1, unitPrice: 5 }] }, `inv-${orderId}`, 0, 'now')!;

  it('starts empty (creating missing folders) and reads back what it appended, one JSON line each', () => {
    const path = join(dir, 'nested', 'journal.jsonl');
    const journal = new BillingJournalFile(path);
    expect(journal.load()).toEqual({ records: [], truncatedBytes: 0 });
    journal.append(record('o1'));
    journal.append(record('o2'));
    journal.close();
    expect(readFileSync(path, 'utf8').split('\n')).toHaveLength(3);
    const again = new BillingJournalFile(path);
    expect(again.load().records.map((r) => r.entry.orderId)).toEqual(['o1', 'o2']);
    again.close();
  });

  it('cuts off an incomplete last line left by a crash, and appends cleanly after it', () => {
    const path = join(dir, 'journal.jsonl');
    const journal = new BillingJournalFile(path);
    journal.load();
    journal.append(record('o1'));
    journal.close();
    appendFileSync(path, '{"op":"sale","invo');
    const reopened = new BillingJournalFile(path);
    const load = reopened.load();
    expect(load.records).toHaveLength(1);
    expect(load.truncatedBytes).toBe(18);
    reopened.append(record('o2'));
    reopened.close();
    const third = new BillingJournalFile(path);
    expect(third.load().records.map((r) => r.entry.orderId)).toEqual(['o1', 'o2']);
    third.close();
  });

  it('refuses to load a journal with a broken complete line, naming the file and line', () => {
    const path = join(dir, 'journal.jsonl');
    const journal = new BillingJournalFile(path);
    journal.load();
    journal.append(record('o1'));
    journal.close();
    appendFileSync(path, 'garbage\n');
    expect(() => new BillingJournalFile(path).load()).toThrow(CorruptJournalError);
    expect(() => new BillingJournalFile(path).load()).toThrow(`billing journal ${path}, line 2, is not a sale or chargeback record: garbage`);
    writeFileSync(path, '{"op":"refund"}\n');
    expect(() => new BillingJournalFile(path).load()).toThrow('line 1');
  });

  it('refuses to append before load', () => {
    expect(() => new BillingJournalFile(join(dir, 'j')).append(record('o1'))).toThrow('call load() before append()');
  });
});
