import { defineTask } from 'nestjs-celery';

/** An order line as billing sees it. */
export interface OrderLine {
  itemId: string;
  quantity: number;
  unitPrice: number;
}

/** The invoice billing issues for an order. */
export interface Invoice {
  invoiceId: string;
  orderId: string;
  total: number;
  issuedBy: string;
}

/** Billing's blocking call: charge an order and return its invoice. */
export const chargeOrder = defineTask<[orderId: string, lines: OrderLine[]], Invoice>('billing.sync.charge', {
  queue: 'billing.sync',
  deliveryMode: 1,
});
