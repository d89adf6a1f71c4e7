import { Injectable } from '@nestjs/common';
import type { Order } from './order.js';

/** The order service's orders, in memory, in submission order. */
@Injectable()
export class OrderStore {
  private readonly orders = new Map<string, Order>();

  /** Adds a new order. */
  add(order: Order): void {
    if (this.orders.has(order.orderId)) throw new Error(`order ${order.orderId} exists already; order ids must be unique`);
    this.orders.set(order.orderId, order);
  }

  /** Removes an order (used when it could not be submitted). */
  remove(orderId: string): void {
    this.orders.delete(orderId);
  }

  /** The order with this id. */
  get(orderId: string): Order | undefined {
    return this.orders.get(orderId);
  }

  /** All orders, oldest first. */
  list(): Order[] {
    return [...this.orders.values()];
  }
}
