import type { Invoice, OrderLine } from '@app/contracts';
import { Account, reversalOf, type JournalEntry, type Posting } from '../ledger/index.js';
import { fromCents, toCents } from './money.js';

/** What billing needs of a submitted order. */
export interface SaleOrder {
  orderId: string;
  customer: string;
  lines: OrderLine[];
}

/** A sale: the invoice and the journal entry that posts it. */
export interface Sale {
  invoice: Invoice;
  entry: JournalEntry;
}

/** Journal entry id of an order's sale (one per order: this is what makes posting idempotent). */
export const saleEntryId = (orderId: string): string => `sale:${orderId}`;

/** Journal entry id of an order's chargeback. */
export const chargebackEntryId = (orderId: string): string => `chargeback:${orderId}`;

/**
 * Prices an order and builds its invoice and sale entry: debit accounts receivable with the total,
 * credit revenue with the net and sales tax payable with the tax (rounded to cents).
 */
export function buildSale(order: SaleOrder, invoiceId: string, taxRate: number, issuedAt: string): Sale {
  const netCents = order.lines.reduce((sum, line) => sum + line.quantity * toCents(line.unitPrice), 0);
  const taxCents = Math.round(netCents * taxRate);
  const totalCents = netCents + taxCents;
  const postings: Posting[] = [
    { account: Account.AccountsReceivable, side: 'debit', amountCents: totalCents },
    { account: Account.Revenue, side: 'credit', amountCents: netCents },
  ];
  if (taxCents > 0) postings.push({ account: Account.SalesTaxPayable, side: 'credit', amountCents: taxCents });
  const invoice: Invoice = {
    invoiceId,
    orderId: order.orderId,
    customer: order.customer,
    lines: order.lines.map(({ itemId, quantity, unitPrice }) => ({ itemId, quantity, unitPrice })),
    net: fromCents(netCents),
    tax: fromCents(taxCents),
    total: fromCents(totalCents),
    issuedAt,
    status: 'issued',
  };
  const entry: JournalEntry = {
    id: saleEntryId(order.orderId),
    kind: 'sale',
    orderId: order.orderId,
    memo: `invoice ${invoiceId} to ${order.customer}`,
    postedAt: issuedAt,
    postings,
  };
  return { invoice, entry };
}

/** The chargeback entry of a sale: its exact reversal. */
export function buildChargeback(sale: JournalEntry, reason: string, postedAt: string): JournalEntry {
  return reversalOf(sale, chargebackEntryId(sale.orderId), `chargeback: ${reason}`, postedAt);
}
