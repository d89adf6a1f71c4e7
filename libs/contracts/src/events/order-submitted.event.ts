import { CeleryEvent } from 'nestjs-celery';
import { OrderSubmission } from './order-submission.js';

/** The order service accepted an order (version 1): orderId, customer, lines, submittedAt. */
@CeleryEvent({ exchange: 'order', routingKey: 'order.v1.submit' })
export class OrderSubmitted extends OrderSubmission {}
