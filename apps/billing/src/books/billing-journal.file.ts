import { closeSync, existsSync, mkdirSync, openSync, readFileSync, truncateSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { BillingRecord } from './billing-record.js';

/** A complete line of the journal is not a record; billing refuses to start on books it cannot trust. */
export class CorruptJournalError extends Error {
  override readonly name = 'CorruptJournalError';
}

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
      text
        .slice(0, end)
        .split('\n')
        .forEach((line, index) => {
          if (line.trim() !== '') records.push(BillingJournalFile.parse(line, index + 1, this.path));
        });
    }
    this.fd = openSync(this.path, 'a');
    return { records, truncatedBytes };
  }

  private static parse(line: string, lineNumber: number, path: string): BillingRecord {
    let record: Partial<BillingRecord> | undefined;
    try {
      record = JSON.parse(line) as Partial<BillingRecord>;
    } catch {
      // reported below
    }
    if (!record || (record.op !== 'sale' && record.op !== 'chargeback') || typeof record.entry !== 'object') {
      throw new CorruptJournalError(
        `billing journal ${path}, line ${lineNumber}, is not a sale or chargeback record: ${line.slice(0, 120)}. ` +
          'Restore the file from a backup, or move it away to start with empty books.',
      );
    }
    return record as BillingRecord;
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
