import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { OrderChargedBack, OrderSubmitted, OrderSubmittedV2, type Shipment } from '@app/contracts';
import { OnEvent } from 'nestjs-celery';
import { LogisticService } from './logistic.service.js';

/**
 * Logistic's event handlers, on queue `logistic.order-events` (bound to exchange `order` with the
 * contracts' routing keys). Payloads arrive validated as the contract classes; one that fails
 * validation goes to `logistic.dead-letter` with its reason.
 */
@Controller()
export class LogisticEventsController {
  constructor(private readonly logistic: LogisticService) {}

  /** `order.v1.submit` / `order.v2.submit`: schedule the shipment and its delayed dispatch. */
  @OnEvent([OrderSubmitted, OrderSubmittedV2])
  onOrderSubmitted(@Payload() order: OrderSubmitted | OrderSubmittedV2): Promise<Shipment> {
    return this.logistic.onOrderSubmitted(order);
  }

  /** `order.v1.chargeback`: cancel the shipment if it has not left. */
  @OnEvent(OrderChargedBack)
  onOrderChargedBack(@Payload() chargeback: OrderChargedBack): string {
    return this.logistic.onOrderChargedBack(chargeback);
  }
}
