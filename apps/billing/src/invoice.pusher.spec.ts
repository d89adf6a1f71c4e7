import type { Invoice } from '@app/contracts';
import type { CeleryClient } from 'nestjs-celery';
import { InvoicePusher } from './invoice.pusher.js';

const invoice = { invoiceId: 'inv-1', orderId: 'o1', customer: 'ada', lines: [], net: 1, tax: 0.2, total: 1.2, issuedAt: 't', status: 'issued' } as Invoice;

describe('InvoicePusher', () => {
  it('sends the invoice document through the versioned binding: pusher.send_to_s3_v2 on queue pusher, fire-and-forget', async () => {
    const sent: Array<{ name: string; args: unknown[]; options: Record<string, unknown> }> = [];
    const client = { sendTask: async (name: string, args: unknown[], _kwargs: unknown, options: Record<string, unknown>) => void sent.push({ name, args, options }) } as unknown as CeleryClient;
    expect(await new InvoicePusher(client).push(invoice)).toBe('invoices/o1/inv-1.json');
    expect(sent).toEqual([
      {
        name: 'pusher.send_to_s3_v2',
        args: ['invoices/o1/inv-1.json', JSON.stringify(invoice), 'application/json'],
        options: { queue: 'pusher', ignoreResult: true, replyTo: null },
      },
    ]);
  });
});
