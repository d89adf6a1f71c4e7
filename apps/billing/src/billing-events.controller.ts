import { Controller } from '@nestjs/common';
import { CeleryTask, TaskArg } from 'nestjs-celery';
import type { OrderChargebackPayload, OrderSubmitPayload } from '../../order/src/order.payloads.js';
import { BillingService, type ChargebackResult } from './billing.service.js';
import type { InvoicedPayload } from './billing.payloads.js';

/**
 * Billing's event handlers. Today they receive #4's wire format through the interim bridge
 * (`@CeleryTask('<routing key>')` on queue `billing.interim-events`).
 * Wiring: `@OnEvent('order.*.submit', { exchange: 'order' })` / `@OnEvent('order.*.chargeback',
 * { exchange: 'order' })` in place of the `@CeleryTask` lines.
 */
@Controller()
export class BillingEventsController {
  constructor(private readonly billing: BillingService) {}

  /** `order.*.submit`: post the sale, issue and publish the invoice. */
  @CeleryTask('order.v1.submit', { ignoreResult: true })
  onOrderSubmitted(@TaskArg(0) order: OrderSubmitPayload): Promise<InvoicedPayload> {
    return this.billing.onOrderSubmitted(order);
  }

  /** `order.*.chargeback`: reverse the sale. */
  @CeleryTask('order.v1.chargeback', { ignoreResult: true })
  onOrderChargedBack(@TaskArg(0) chargeback: OrderChargebackPayload): ChargebackResult {
    return this.billing.onOrderChargedBack(chargeback);
  }
}
