import { Controller } from '@nestjs/common';
import { CeleryTask, TaskArg, type CeleryTaskOptions } from 'nestjs-celery';
import { PaymentGateway, PaymentGatewayUnavailableError, type ChargeReceipt } from './payment-gateway.js';

/**
 * Options of `billing.sync.charge`: the gateway's quota as a rate limit per worker, and automatic
 * retries of gateway outages with exponential backoff (1, 2, 4, 8, 16 s, jittered, at most 30 s),
 * five at most; a declined charge fails at once.
 */
export const CHARGE_TASK_OPTIONS: CeleryTaskOptions = {
  params: ['order_id', 'amount'],
  rateLimit: '20/s',
  autoretryFor: [PaymentGatewayUnavailableError],
  retryBackoff: true,
  retryBackoffMax: 30,
  maxRetries: 5,
};

/** Billing's payment task (queue `billing.sync`). */
@Controller()
export class PaymentsTasks {
  constructor(private readonly gateway: PaymentGateway) {}

  /** `billing.sync.charge(order_id, amount)`: charges the order through the payment gateway; the receipt. */
  @CeleryTask('billing.sync.charge', CHARGE_TASK_OPTIONS)
  charge(@TaskArg(0) orderId: string, @TaskArg(1) amount: number): ChargeReceipt {
    return this.gateway.charge(String(orderId), Number(amount));
  }
}
