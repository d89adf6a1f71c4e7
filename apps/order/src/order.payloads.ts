import type { OrderLine } from '@app/contracts';

/**
 * Payloads of the events order publishes on its topic exchange `order`. Stand-ins until the event
 * contracts of libs/contracts/src/events (`OrderSubmitted`, `OrderChargedBack`) replace them.
 */

/** `order.v1.submit`: an order was placed. */
export interface OrderSubmitPayload {
  orderId: string;
  customer: string;
  lines: OrderLine[];
  /** ISO 8601 time (a `Date` once decoded into the `OrderSubmitted` contract). */
  submittedAt: string | Date;
}

/** `order.v1.chargeback`: the customer's payment of an invoiced order was charged back. */
export interface OrderChargebackPayload {
  orderId: string;
  reason: string;
}

/** Routing keys of order's events. */
export const OrderEvent = {
  Submit: 'order.v1.submit',
  Chargeback: 'order.v1.chargeback',
} as const;
