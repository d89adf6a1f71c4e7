/**
 * The one payload every system sends: an order with three lines, 237 bytes of JSON. Consumers
 * compute its total (the "work"); RPC replies carry `{ id, total }` and the producer checks the total.
 */
export interface OrderLine {
  sku: string;
  name: string;
  qty: number;
  price: number;
}

export interface Order {
  id: string;
  customer: string;
  currency: string;
  lines: OrderLine[];
}

export interface OrderReply {
  id: string;
  total: number;
}

export const ORDER: Order = {
  id: 'ord-7f3c2a91',
  customer: 'c-4821',
  currency: 'EUR',
  lines: [
    { sku: 'SKU-1001', name: 'Beans 1kg', qty: 2, price: 18.5 },
    { sku: 'SKU-2040', name: 'Frother', qty: 1, price: 39.9 },
    { sku: 'SKU-3307', name: 'Cup', qty: 4, price: 6.25 },
  ],
};

/** Size of the JSON body the systems send (their own envelopes come on top). */
export const ORDER_JSON_BYTES = Buffer.byteLength(JSON.stringify(ORDER));

/** The handler's work: the order total, rounded to cents. */
export function orderTotal(order: Order): number {
  let cents = 0;
  for (const line of order.lines) cents += Math.round(line.qty * line.price * 100);
  return cents / 100;
}

export const EXPECTED_TOTAL = orderTotal(ORDER);

/** What an RPC handler returns. */
export function orderReply(order: Order): OrderReply {
  return { id: order.id, total: orderTotal(order) };
}

/** True when an RPC reply is the right answer for {@link ORDER}. */
export function isExpectedReply(value: unknown): boolean {
  const reply = value as Partial<OrderReply> | null;
  return !!reply && reply.id === ORDER.id && reply.total === EXPECTED_TOTAL;
}
