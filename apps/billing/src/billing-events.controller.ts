import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { InvoiceIssued, OrderChargedBack, OrderSubmitted, OrderSubmittedV2 } from '@app/contracts';
import { OnEvent } from 'nestjs-celery';
import { BillingService, type ChargebackResult } from './billing.service.js';

/**
 * Billing's event handlers, on queue `billing.order-events` (bound to exchange `order` with the
 * contracts' routing keys). Payloads arrive validated as the contract classes; one that fails
 * validation goes to `billing.dead-letter` with its reason and never reaches the books.
 */
@Controller()
export class BillingEventsController {
  constructor(private readonly billing: BillingService) {}

  /** `order.v1.submit` / `order.v2.submit`: post the sale, issue and publish the invoice. */
  @OnEvent([OrderSubmitted, OrderSubmittedV2])
  onOrderSubmitted(@Payload() order: OrderSubmitted | OrderSubmittedV2): Promise<InvoiceIssued> {
    return this.billing.onOrderSubmitted(order);
  }

  /** `order.v1.chargeback`: reverse the sale. */
  @OnEvent(OrderChargedBack)
  onOrderChargedBack(@Payload() chargeback: OrderChargedBack): ChargebackResult {
    return this.billing.onOrderChargedBack(chargeback);
  }
}
