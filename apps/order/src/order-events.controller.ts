import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { InvoiceIssued, ShipmentDispatched } from '@app/contracts';
import { OnEvent } from 'nestjs-celery';
import { OrderService } from './order.service.js';

/**
 * Order's event handlers, on queues `order.billing-events` and `order.logistic-events`. Payloads
 * arrive validated as the contract classes (`dispatchedAt` as a `Date`).
 */
@Controller()
export class OrderEventsController {
  constructor(private readonly orders: OrderService) {}

  /** `billing.v1.invoiced`: the order is invoiced. */
  @OnEvent(InvoiceIssued)
  onInvoiced(@Payload() event: InvoiceIssued): void {
    this.orders.onInvoiced(event);
  }

  /** `logistic.v1.dispatched`: the order's shipment left. */
  @OnEvent(ShipmentDispatched)
  onDispatched(@Payload() event: ShipmentDispatched): void {
    this.orders.onDispatched(event);
  }
}
