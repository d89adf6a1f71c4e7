import { Account, NORMAL_SIDE, type AccountName } from './account.js';
import type { JournalEntry } from './journal-entry.js';
import { UnbalancedEntryError } from './ledger.errors.js';

/** Debit and credit totals of one account, in cents. */
export interface AccountTotals {
  debitCents: number;
  creditCents: number;
}

/** The trial balance: totals per account; `balanced` when all debits equal all credits. */
export interface TrialBalance {
  accounts: Record<AccountName, AccountTotals>;
  debitCents: number;
  creditCents: number;
  balanced: boolean;
}

/**
 * A double-entry general ledger. Every entry balances (checked before anything is posted) and an
 * entry id is posted at most once, so replaying or redelivering a business fact never doubles it.
 */
export class Ledger {
  private readonly entries = new Map<string, JournalEntry>();
  private readonly totals = new Map<AccountName, AccountTotals>(
    Object.values(Account).map((name) => [name, { debitCents: 0, creditCents: 0 }]),
  );

  /**
   * Posts `entry`. Returns false (and changes nothing) if an entry with this id was posted before.
   * @throws UnbalancedEntryError when debits ≠ credits, an amount is not a positive integer number
   * of cents, an account is unknown, or there are fewer than two postings
   */
  post(entry: JournalEntry): boolean {
    Ledger.validate(entry);
    if (this.entries.has(entry.id)) return false;
    for (const posting of entry.postings) {
      const totals = this.totals.get(posting.account)!;
      if (posting.side === 'debit') totals.debitCents += posting.amountCents;
      else totals.creditCents += posting.amountCents;
    }
    this.entries.set(entry.id, entry);
    return true;
  }

  /** True if an entry with this id was posted. */
  has(entryId: string): boolean {
    return this.entries.has(entryId);
  }

  /** The entry posted under this id. */
  entry(entryId: string): JournalEntry | undefined {
    return this.entries.get(entryId);
  }

  /** Number of entries posted. */
  get size(): number {
    return this.entries.size;
  }

  /** All entries, in posting order. */
  journal(): JournalEntry[] {
    return [...this.entries.values()];
  }

  /** An account's balance in cents on its normal side (receivables: debit − credit; revenue: credit − debit). */
  balance(account: AccountName): number {
    const { debitCents, creditCents } = this.totals.get(account)!;
    return NORMAL_SIDE[account] === 'debit' ? debitCents - creditCents : creditCents - debitCents;
  }

  /** Totals per account and overall; a ledger built only through `post` is always balanced. */
  trialBalance(): TrialBalance {
    const accounts = {} as Record<AccountName, AccountTotals>;
    let debitCents = 0;
    let creditCents = 0;
    for (const [name, totals] of this.totals) {
      accounts[name] = { ...totals };
      debitCents += totals.debitCents;
      creditCents += totals.creditCents;
    }
    return { accounts, debitCents, creditCents, balanced: debitCents === creditCents };
  }

  /**
   * Checks that an entry could be posted (balanced, well-formed), without posting it.
   * @throws UnbalancedEntryError
   */
  static validate(entry: JournalEntry): void {
    if (!Array.isArray(entry.postings) || entry.postings.length < 2) {
      throw new UnbalancedEntryError(`journal entry ${entry.id} needs at least two postings (one debit, one credit)`);
    }
    let debits = 0;
    let credits = 0;
    for (const posting of entry.postings) {
      if (!(posting.account in NORMAL_SIDE)) {
        throw new UnbalancedEntryError(`journal entry ${entry.id} posts to unknown account '${posting.account}'; use one of ${Object.values(Account).join(', ')}`);
      }
      if (!Number.isSafeInteger(posting.amountCents) || posting.amountCents <= 0) {
        throw new UnbalancedEntryError(`journal entry ${entry.id}: amounts must be positive integer cents, got ${posting.amountCents} on ${posting.account}`);
      }
      if (posting.side === 'debit') debits += posting.amountCents;
      else if (posting.side === 'credit') credits += posting.amountCents;
      else throw new UnbalancedEntryError(`journal entry ${entry.id}: side must be 'debit' or 'credit', got '${String(posting.side)}'`);
    }
    if (debits !== credits) {
      throw new UnbalancedEntryError(`journal entry ${entry.id} does not balance: debits ${debits} ≠ credits ${credits} (cents)`);
    }
  }
}
