import type { Invoice } from '@app/contracts';
import type { JournalEntry } from '../ledger/index.js';

/**
 * One durable business fact of billing, as written to the journal file (one JSON line each):
 * a sale (invoice and its entry) or a chargeback (its reversing entry). Replaying the records
 * in order rebuilds the books.
 */
export type BillingRecord =
  | { op: 'sale'; invoice: Invoice; entry: JournalEntry }
  | { op: 'chargeback'; orderId: string; entry: JournalEntry };
