import { Injectable } from '@nestjs/common';
import type { Invoice } from '@app/contracts';
import { CeleryClient } from 'nestjs-celery';

/** Key of an invoice's document in the bucket. */
export const invoiceDocumentKey = (invoice: Invoice): string => `invoices/${invoice.orderId}/${invoice.invoiceId}.json`;

/**
 * Hands invoice documents to the Python pusher service (`pusher.send_to_s3_v2` on queue `pusher`),
 * fire-and-forget: the pusher writes them to the bucket. Wiring: call the typed pusher bindings'
 * delegation helper (libs/contracts/src/pusher.tasks.ts) instead of `sendTask`.
 */
@Injectable()
export class InvoicePusher {
  constructor(private readonly celery: CeleryClient) {}

  /** Sends the invoice document (JSON). Resolves once the broker has the message. */
  async push(invoice: Invoice): Promise<string> {
    const key = invoiceDocumentKey(invoice);
    await this.celery.sendTask('pusher.send_to_s3_v2', [key, JSON.stringify(invoice), 'application/json'], {}, {
      queue: 'pusher',
      ignoreResult: true,
      replyTo: null,
    });
    return key;
  }
}
