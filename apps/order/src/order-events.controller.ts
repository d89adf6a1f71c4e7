import { Controller } from '@nestjs/common';
import { CeleryTask, TaskArg } from 'nestjs-celery';
import type { InvoicedPayload } from '../../billing/src/billing.payloads.js';
import type { DispatchedPayload } from '../../logistic/src/logistic.payloads.js';
import { OrderService } from './order.service.js';

/**
 * Order's event handlers. Today they receive #4's wire format through the interim bridge
 * (`@CeleryTask('<routing key>')` on queue `order.interim-events`).
 * Wiring: `@OnEvent(InvoiceIssued)` / `@OnEvent(ShipmentDispatched)` in place of the `@CeleryTask` lines.
 */
@Controller()
export class OrderEventsController {
  constructor(private readonly orders: OrderService) {}

  /** `billing.*.invoiced`: the order is invoiced. */
  @CeleryTask('billing.v1.invoiced', { ignoreResult: true })
  onInvoiced(@TaskArg(0) payload: InvoicedPayload): void {
    this.orders.onInvoiced(payload);
  }

  /** `logistic.*.dispatched`: the order's shipment left. */
  @CeleryTask('logistic.v1.dispatched', { ignoreResult: true })
  onDispatched(@TaskArg(0) payload: DispatchedPayload): void {
    this.orders.onDispatched(payload);
  }
}
