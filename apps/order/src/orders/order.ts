import type { OrderLine } from '@app/contracts';
import type { OrderStatus } from './order-status.machine.js';

/** An order as the order service keeps and returns it. */
export interface Order {
  orderId: string;
  customer: string;
  lines: OrderLine[];
  status: OrderStatus;
  /** ISO 8601 time. */
  submittedAt: string;
  /** From `billing.v1.invoiced`. */
  invoice?: { invoiceId: string; total: number };
  /** From `logistic.v1.dispatched`. */
  shipment?: { shipmentId: string; dispatchedAt: string };
  /** Set by `POST /orders/:id/chargeback`. */
  chargeback?: { reason: string; at: string };
  /** Every status change, oldest first. */
  history: Array<{ status: OrderStatus; at: string }>;
}
