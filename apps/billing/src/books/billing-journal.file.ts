import { closeSync, existsSync, mkdirSync, openSync, readFileSync, truncateSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { BillingRecord } from './billing-record.js';

/** What loading the journal found. */
export interface JournalLoad {
  records: BillingRecord[];
  /** Bytes of an incomplete last line (a write cut short by a crash) that were cut off. */
  truncatedBytes: number;
}

/**
 * Billing's append-only journal: one JSON line per {@link BillingRecord}. Written synchronously
 * before the handler returns (and so before the message is acknowledged), so a killed process
 * loses no record it acknowledged; an incomplete last line left by a crash is cut off on load.
 */
export class BillingJournalFile {
  private fd?: number;

  constructor(readonly path: string) {}

  /** Reads every complete record (creating the folder if needed) and opens the file for appending. */
  load(): JournalLoad {
    mkdirSync(dirname(this.path), { recursive: true });
    const records: BillingRecord[] = [];
    let truncatedBytes = 0;
    if (existsSync(this.path)) {
      const text = readFileSync(this.path, 'utf8');
      const end = text.lastIndexOf('\n') + 1;
      if (end < text.length) {
        truncatedBytes = Buffer.byteLength(text.slice(end));
        truncateSync(this.path, Buffer.byteLength(text.slice(0, end)));
      }
      for (const line of text.slice(0, end).split('\n')) {
        if (line.trim() !== '') records.push(JSON.parse(line) as BillingRecord);
      }
    }
    this.fd = openSync(this.path, 'a');
    return { records, truncatedBytes };
  }

  /** Appends a record as one line. */
  append(record: BillingRecord): void {
    if (this.fd === undefined) throw new Error(`BillingJournalFile ${this.path}: call load() before append()`);
    writeSync(this.fd, JSON.stringify(record) + '\n');
  }

  /** Closes the file. */
  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}
