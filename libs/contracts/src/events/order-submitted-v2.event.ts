import { Matches } from 'class-validator';
import { CeleryEvent } from 'nestjs-celery';
import { OrderSubmission } from './order-submission.js';

/** The order service accepted an order (version 2: adds the ISO 4217 currency of the prices). */
@CeleryEvent({ exchange: 'order', routingKey: 'order.v2.submit' })
export class OrderSubmittedV2 extends OrderSubmission {
  @Matches(/^[A-Z]{3}$/, { message: 'currency must be an ISO 4217 code such as EUR' })
  currency!: string;
}
