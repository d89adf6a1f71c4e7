import type { Invoice, LedgerBalance } from '@app/contracts';
import { fromCents, InvoiceBook } from '../invoices/index.js';
import { buildChargeback, buildSale, chargebackEntryId, saleEntryId, type SaleOrder } from '../invoices/sale.builder.js';
import { Ledger } from '../ledger/index.js';
import type { BillingRecord } from './billing-record.js';

/** What a chargeback request came to. */
export type ChargebackOutcome =
  | { kind: 'record'; record: BillingRecord }
  | { kind: 'already-reversed' }
  | { kind: 'no-sale' };

/**
 * Billing's books: the general ledger and the invoice book, changed only by applying
 * {@link BillingRecord}s. `planSale` / `planChargeback` decide what to record (pure, idempotent per
 * order); the caller persists the record, then `apply`s it.
 */
export class BillingBooks {
  readonly ledger = new Ledger();
  readonly invoices = new InvoiceBook();

  /**
   * The record a submitted order needs, or undefined if its sale was already posted.
   * @throws UnbalancedEntryError when the order cannot be priced (so nothing is journaled)
   */
  planSale(order: SaleOrder, invoiceId: string, taxRate: number, now: string): BillingRecord | undefined {
    if (this.ledger.has(saleEntryId(order.orderId))) return undefined;
    const { invoice, entry } = buildSale(order, invoiceId, taxRate, now);
    Ledger.validate(entry);
    return { op: 'sale', invoice, entry };
  }

  /** The record reversing an order's sale, or why there is none. */
  planChargeback(orderId: string, reason: string, now: string): ChargebackOutcome {
    const sale = this.ledger.entry(saleEntryId(orderId));
    if (!sale) return { kind: 'no-sale' };
    if (this.ledger.has(chargebackEntryId(orderId))) return { kind: 'already-reversed' };
    return { kind: 'record', record: { op: 'chargeback', orderId, entry: buildChargeback(sale, reason, now) } };
  }

  /** Applies a record (a replayed duplicate changes nothing). */
  apply(record: BillingRecord): void {
    if (record.op === 'sale') {
      if (this.ledger.post(record.entry)) this.invoices.add(record.invoice);
    } else if (this.ledger.post(record.entry)) {
      this.invoices.markChargedBack(record.orderId, record.entry.postedAt);
    }
  }

  /** The invoice of an order. */
  invoice(orderId: string): Invoice | undefined {
    return this.invoices.get(orderId);
  }

  /** Balances per account, trial-balance totals and counts, in currency units. */
  balance(): LedgerBalance {
    const trial = this.ledger.trialBalance();
    const accounts: Record<string, number> = {};
    for (const name of Object.keys(trial.accounts) as Array<keyof typeof trial.accounts>) {
      accounts[name] = fromCents(this.ledger.balance(name));
    }
    const invoices = this.invoices.list();
    return {
      accounts,
      debits: fromCents(trial.debitCents),
      credits: fromCents(trial.creditCents),
      balanced: trial.balanced,
      entries: this.ledger.size,
      invoices: invoices.length,
      chargedBack: invoices.filter((i) => i.status === 'charged_back').length,
    };
  }
}
