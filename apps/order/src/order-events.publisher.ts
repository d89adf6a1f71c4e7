import { Injectable } from '@nestjs/common';
import { OrderChargedBack, OrderSubmitted } from '@app/contracts';
import { EventPublisher } from 'nestjs-celery';
import type { Order } from './orders/index.js';

/** What `order.v1.submit` says about an order. */
export type OrderSubmittedFields = Pick<Order, 'orderId' | 'customer' | 'lines' | 'submittedAt'>;

/** Publishes order's events on its topic exchange `order`; each resolves once the broker confirmed it. */
@Injectable()
export class OrderEventsPublisher {
  constructor(private readonly events: EventPublisher) {}

  /** `order.v1.submit` (`OrderSubmitted`). */
  async submitted(order: OrderSubmittedFields): Promise<void> {
    const { orderId, customer, lines, submittedAt } = order;
    await this.events.publish(Object.assign(new OrderSubmitted(), { orderId, customer, lines, submittedAt: new Date(submittedAt) }));
  }

  /** `order.v1.chargeback` (`OrderChargedBack`). */
  async chargedBack(chargeback: { orderId: string; reason: string }): Promise<void> {
    await this.events.publish(Object.assign(new OrderChargedBack(), chargeback));
  }
}
