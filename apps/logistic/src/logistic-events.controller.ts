import { Controller } from '@nestjs/common';
import type { Shipment } from '@app/contracts';
import { CeleryTask, TaskArg } from 'nestjs-celery';
import type { OrderChargebackPayload, OrderSubmitPayload } from '../../order/src/order.payloads.js';
import { LogisticService } from './logistic.service.js';

/**
 * Logistic's event handlers. Today they receive #4's wire format through the interim bridge
 * (`@CeleryTask('<routing key>')` on queue `logistic.interim-events`).
 * Wiring: `@OnEvent('order.*.submit', { exchange: 'order' })` / `@OnEvent('order.*.chargeback',
 * { exchange: 'order' })` in place of the `@CeleryTask` lines.
 */
@Controller()
export class LogisticEventsController {
  constructor(private readonly logistic: LogisticService) {}

  /** `order.*.submit`: schedule the shipment and its delayed dispatch. */
  @CeleryTask('order.v1.submit', { ignoreResult: true })
  onOrderSubmitted(@TaskArg(0) order: OrderSubmitPayload): Promise<Shipment> {
    return this.logistic.onOrderSubmitted(order);
  }

  /** `order.*.chargeback`: cancel the shipment if it has not left. */
  @CeleryTask('order.v1.chargeback', { ignoreResult: true })
  onOrderChargedBack(@TaskArg(0) chargeback: OrderChargebackPayload): string {
    return this.logistic.onOrderChargedBack(chargeback);
  }
}
