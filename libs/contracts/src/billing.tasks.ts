import { defineTask } from 'nestjs-celery';

/** An order line as billing sees it (prices in the currency's units, e.g. 12.5). */
export interface OrderLine {
  itemId: string;
  quantity: number;
  unitPrice: number;
}

/** The invoice billing issues for a submitted order. Amounts in currency units, rounded to cents. */
export interface Invoice {
  invoiceId: string;
  orderId: string;
  customer: string;
  lines: OrderLine[];
  net: number;
  tax: number;
  total: number;
  /** ISO 8601 time. */
  issuedAt: string;
  status: 'issued' | 'charged_back';
  /** ISO 8601 time of the chargeback, once charged back. */
  chargedBackAt?: string;
}

/** Billing's ledger figures, in currency units. */
export interface LedgerBalance {
  /** Balance of each account on its normal side. */
  accounts: Record<string, number>;
  /** Sum of all debits and of all credits; equal when the ledger balances. */
  debits: number;
  credits: number;
  balanced: boolean;
  /** Number of journal entries posted (sales and chargebacks). */
  entries: number;
  /** Invoices issued, and how many of them were charged back. */
  invoices: number;
  chargedBack: number;
}

/*
 * Billing's tasks follow the service convention: call them through a client that knows the
 * service (`new CeleryClient({ services: ['billing'] })`), which routes `billing.sync.*` to exchange
 * `billing` / queue `billing.sync` (transient, results). No queue is repeated here.
 */

/** Billing's blocking call: the invoice of an order, or null when none was issued (yet). */
export const getInvoice = defineTask<[orderId: string], Invoice | null>('billing.sync.get_invoice');

/** Billing's blocking call: the ledger's balances and trial-balance check. */
export const getBalance = defineTask<[], LedgerBalance>('billing.sync.get_balance');
