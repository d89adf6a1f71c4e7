import { IsString, MinLength } from 'class-validator';
import { CeleryEvent } from 'nestjs-celery';

/** The payment of an order was charged back. */
@CeleryEvent({ exchange: 'order', routingKey: 'order.v1.chargeback' })
export class OrderChargedBack {
  @IsString()
  @MinLength(1)
  orderId!: string;

  @IsString()
  @MinLength(1)
  reason!: string;
}
