import type { Order } from '../../apps/order/src/orders/index.js';

/** The sample order service's HTTP API, as the e2e specs call it. */
export class OrderApi {
  constructor(private readonly baseUrl: () => string) {}

  /** One request; the status and the parsed JSON body. */
  async request<T = unknown>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
    const response = await fetch(this.baseUrl() + path, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as T };
  }

  /** Places an order of two books at `unitPrice` and three pens at 1.20; expects 201. */
  async place(customer: string, unitPrice = 12.5): Promise<Order> {
    const { status, body } = await this.request<Order>('POST', '/orders', { customer, lines: [{ itemId: 'book', quantity: 2, unitPrice }, { itemId: 'pen', quantity: 3, unitPrice: 1.2 }] });
    expect(status).toBe(201);
    return body;
  }
}
