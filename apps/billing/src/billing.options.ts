import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CeleryModuleOptions } from 'nestjs-celery';

/** Options of {@link BillingModule.register}. */
export interface BillingModuleOptions {
  /** The Celery client's options, over the defaults `{ brokerUrl: CELERY_BROKER_URL }` (e.g. a shared `broker`). */
  celery?: CeleryModuleOptions;
  /** Journal file (JSON lines). Default `BILLING_JOURNAL`, else `<tmp>/nestjs-celery-demo/billing.journal.jsonl`. */
  journalPath?: string;
  /** Sales tax rate, 0 ≤ rate < 1. Default `BILLING_TAX_RATE`, else 0.2. */
  taxRate?: number;
  /** Send each invoice to the Python pusher (`pusher` queue). Default true unless `BILLING_PUSH_INVOICES=0`. */
  pushInvoices?: boolean;
}

/** A bad billing option; the message names it and says what is expected. */
export class InvalidBillingOptionError extends Error {
  override readonly name = 'InvalidBillingOptionError';
}

/** Billing options after validation, with defaults applied. */
export type ResolvedBillingOptions = Required<Omit<BillingModuleOptions, 'celery'>>;

/** Injection token of the resolved options. */
export const BILLING_OPTIONS = Symbol('BILLING_OPTIONS');

/** Checks the options and fills in defaults from the environment. */
export function resolveBillingOptions(options: BillingModuleOptions, env = process.env): ResolvedBillingOptions {
  const taxRate = options.taxRate ?? (env.BILLING_TAX_RATE !== undefined ? Number(env.BILLING_TAX_RATE) : 0.2);
  if (!Number.isFinite(taxRate) || taxRate < 0 || taxRate >= 1) {
    throw new InvalidBillingOptionError(`billing taxRate (BILLING_TAX_RATE) must be a number in [0, 1), got ${String(taxRate)}`);
  }
  const journalPath = options.journalPath ?? env.BILLING_JOURNAL ?? join(tmpdir(), 'nestjs-celery-demo', 'billing.journal.jsonl');
  if (journalPath === '') throw new InvalidBillingOptionError('billing journalPath (BILLING_JOURNAL) must be a file path');
  return { taxRate, journalPath, pushInvoices: options.pushInvoices ?? env.BILLING_PUSH_INVOICES !== '0' };
}
