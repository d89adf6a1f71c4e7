/**
 * Payload of the event billing publishes on its topic exchange `billing`. Stand-in until the event
 * contract `InvoiceIssued` of libs/contracts/src/events replaces it.
 */

/** `billing.v1.invoiced`: billing posted the sale and issued the invoice of an order. */
export interface InvoicedPayload {
  orderId: string;
  invoiceId: string;
  total: number;
}

/** Routing keys of billing's events. */
export const BillingEvent = {
  Invoiced: 'billing.v1.invoiced',
} as const;
