import type { AccountName } from './account.js';

/** One side of a journal entry: an amount in integer cents debited or credited to an account. */
export interface Posting {
  account: AccountName;
  side: 'debit' | 'credit';
  /** Integer cents, > 0. */
  amountCents: number;
}

/** A journal entry: postings whose debits equal their credits. `id` makes posting idempotent. */
export interface JournalEntry {
  /** Unique per business fact, e.g. `sale:<orderId>`; posting an id twice is a no-op. */
  id: string;
  kind: 'sale' | 'chargeback';
  orderId: string;
  memo: string;
  /** ISO 8601 time. */
  postedAt: string;
  postings: Posting[];
}

/** The entry that exactly cancels `entry` (each posting on the other side). */
export function reversalOf(entry: JournalEntry, id: string, memo: string, postedAt: string): JournalEntry {
  return {
    id,
    kind: 'chargeback',
    orderId: entry.orderId,
    memo,
    postedAt,
    postings: entry.postings.map((p) => ({ ...p, side: p.side === 'debit' ? 'credit' : 'debit' })),
  };
}
