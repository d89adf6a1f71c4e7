import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { InvoiceIssued, type Invoice, type LedgerBalance, type OrderChargedBack, type OrderSubmission } from '@app/contracts';
import { BillingEventsPublisher } from './billing-events.publisher.js';
import { BillingMessages } from './billing.messages.js';
import { BILLING_OPTIONS, type ResolvedBillingOptions } from './billing.options.js';
import { BillingBooks, BillingJournalFile } from './books/index.js';
import { InvoicePusher } from './invoice.pusher.js';

/** What a chargeback did. */
export type ChargebackResult = 'reversed' | 'already-reversed' | 'no-sale';

/**
 * Billing's application service: keeps the books (replayed from the journal file at start),
 * posts sales and chargebacks exactly once per order, publishes `billing.v1.invoiced` and hands
 * invoices to the pusher. Event handlers call `onOrderSubmitted` / `onOrderChargedBack`.
 */
@Injectable()
export class BillingService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('billing');
  private readonly books = new BillingBooks();
  private readonly journal: BillingJournalFile;

  constructor(
    @Inject(BILLING_OPTIONS) private readonly options: ResolvedBillingOptions,
    private readonly events: BillingEventsPublisher,
    private readonly pusher: InvoicePusher,
  ) {
    this.journal = new BillingJournalFile(options.journalPath);
  }

  /** Replays the journal into the books and opens it for appending. */
  onModuleInit(): void {
    const { records, truncatedBytes } = this.journal.load();
    for (const record of records) this.books.apply(record);
    this.logger.log(BillingMessages.loaded(records.length, this.journal.path, truncatedBytes));
  }

  /** Closes the journal. */
  onModuleDestroy(): void {
    this.journal.close();
  }

  /**
   * `order.*.submit`: posts the sale and issues the invoice (once per order: a redelivered event
   * posts nothing), publishes `billing.v1.invoiced` (again on redelivery: at least once) and sends
   * the invoice document to the pusher. The record is on disk before this resolves, so before the
   * message is acknowledged.
   */
  async onOrderSubmitted(order: Pick<OrderSubmission, 'orderId' | 'customer' | 'lines'>): Promise<InvoiceIssued> {
    const record = this.books.planSale(order, randomUUID(), this.options.taxRate, new Date().toISOString());
    if (record) {
      this.journal.append(record);
      this.books.apply(record);
    }
    const invoice = this.books.invoice(order.orderId)!;
    this.logger.log(record ? BillingMessages.posted(invoice) : BillingMessages.redelivered(order.orderId));
    const invoiced = Object.assign(new InvoiceIssued(), { orderId: invoice.orderId, invoiceId: invoice.invoiceId, total: invoice.total });
    await this.events.invoiced(invoiced);
    if (this.options.pushInvoices) this.logger.log(BillingMessages.pushed(await this.pusher.push(invoice)));
    return invoiced;
  }

  /** `order.*.chargeback`: posts the exact reversal of the order's sale, once. */
  onOrderChargedBack(chargeback: OrderChargedBack): ChargebackResult {
    const outcome = this.books.planChargeback(chargeback.orderId, chargeback.reason, new Date().toISOString());
    if (outcome.kind === 'record') {
      this.journal.append(outcome.record);
      this.books.apply(outcome.record);
      this.logger.log(BillingMessages.reversed(chargeback.orderId, chargeback.reason));
      return 'reversed';
    }
    this.logger.warn(outcome.kind === 'no-sale' ? BillingMessages.noSale(chargeback.orderId) : BillingMessages.alreadyReversed(chargeback.orderId));
    return outcome.kind;
  }

  /** The invoice of an order, or null. */
  invoice(orderId: string): Invoice | null {
    return this.books.invoice(orderId) ?? null;
  }

  /** Ledger balances and the trial-balance check. */
  balance(): LedgerBalance {
    return this.books.balance();
  }
}
