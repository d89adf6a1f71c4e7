import type { Order } from './orders/index.js';

/** Order's log lines. */
export const OrderMessages = {
  submitted: (o: Order) => `POST /orders → ${o.orderId} (${o.customer}, ${o.lines.length} line(s)) → order.v1.submit`,
  chargedBack: (o: Order) => `POST /orders/${o.orderId}/chargeback (${o.chargeback!.reason}) → order.v1.chargeback`,
  transitioned: (event: string, o: Order) => `${event} ${o.orderId}: status ${o.status}`,
  unchanged: (event: string, o: Order) => `${event} ${o.orderId}: late or repeated, status stays ${o.status}`,
  unknownOrder: (event: string, orderId: string) => `${event} ${orderId}: no such order here (submitted before a restart?), ignored`,
} as const;
