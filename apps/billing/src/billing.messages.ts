import type { Invoice } from '@app/contracts';

/** Billing's log lines. */
export const BillingMessages = {
  loaded: (records: number, path: string, truncated: number) =>
    `journal ${path}: replayed ${records} record(s)` + (truncated ? `, cut off an incomplete last line (${truncated} bytes)` : ''),
  posted: (invoice: Invoice) =>
    `order.v1.submit ${invoice.orderId}: posted sale, invoice ${invoice.invoiceId.slice(0, 8)} total ${invoice.total.toFixed(2)} → billing.v1.invoiced`,
  redelivered: (orderId: string) => `order.v1.submit ${orderId}: sale already posted (redelivery), publishing billing.v1.invoiced again`,
  pushed: (key: string) => `pusher.send_to_s3_v2 ${key}`,
  reversed: (orderId: string, reason: string) => `order.v1.chargeback ${orderId}: posted the reversal (${reason})`,
  alreadyReversed: (orderId: string) => `order.v1.chargeback ${orderId}: already reversed (redelivery), nothing posted`,
  noSale: (orderId: string) => `order.v1.chargeback ${orderId}: no sale posted for this order, nothing to reverse`,
} as const;
