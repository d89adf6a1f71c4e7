import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BillingBooks } from './billing-books.js';
import { BillingJournalFile, CorruptJournalError } from './billing-journal.file.js';

describe('BillingJournalFile', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'billing-journal-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** Opens the journal at `path`, appends a sale per order id, closes it; returns what load() saw. */
  function session(path: string, ...orderIds: string[]) {
    const journal = new BillingJournalFile(path);
    const load = journal.load();
    for (const orderId of orderIds) journal.append(record(orderId));
    journal.close();
    return { ...load, orderIds: load.records.map((r) => r.entry.orderId) };
  }

  const record = (orderId: string) => new BillingBooks().planSale({ orderId, customer: 'c', lines: [{ itemId: 'i', quantity: 1, unitPrice: 5 }] }, `inv-${orderId}`, 0, 'now')!;

  it('starts empty (creating missing folders) and reads back what it appended, one JSON line each', () => {
    const path = join(dir, 'nested', 'journal.jsonl');
    expect(session(path, 'o1', 'o2')).toEqual({ records: [], truncatedBytes: 0, orderIds: [] });
    expect(readFileSync(path, 'utf8').split('\n')).toHaveLength(3);
    expect(session(path).orderIds).toEqual(['o1', 'o2']);
  });

  it('cuts off an incomplete last line left by a crash, and appends cleanly after it', () => {
    const path = join(dir, 'journal.jsonl');
    session(path, 'o1');
    appendFileSync(path, '{"op":"sale","invo');
    expect(session(path, 'o2')).toMatchObject({ orderIds: ['o1'], truncatedBytes: 18 });
    expect(session(path).orderIds).toEqual(['o1', 'o2']);
  });

  it('refuses to load a journal with a broken complete line, naming the file and line', () => {
    const path = join(dir, 'journal.jsonl');
    session(path, 'o1');
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
