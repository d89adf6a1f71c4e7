import { Injectable } from '@nestjs/common';
import { sendToS3, type Invoice } from '@app/contracts';
import { CeleryClient } from 'nestjs-celery';

/** Key of an invoice's document in the bucket. */
export const invoiceDocumentKey = (invoice: Invoice): string => `invoices/${invoice.orderId}/${invoice.invoiceId}.json`;

/**
 * Hands invoice documents to the Python pusher service through the versioned binding `sendToS3`
 * (libs/contracts/src/pusher.tasks.ts: the 3-argument call goes to `pusher.send_to_s3_v2` on queue
 * `pusher`), fire-and-forget: the pusher writes them to the bucket.
 */
@Injectable()
export class InvoicePusher {
  private readonly sendToS3: ReturnType<typeof sendToS3.bind>;

  constructor(celery: CeleryClient) {
    this.sendToS3 = sendToS3.bind(celery);
  }

  /** Sends the invoice document (JSON). Resolves once the broker has the message. */
  async push(invoice: Invoice): Promise<string> {
    const key = invoiceDocumentKey(invoice);
    await this.sendToS3.applyAsync([key, JSON.stringify(invoice), 'application/json'], {}, { ignoreResult: true, replyTo: null });
    return key;
  }
}
