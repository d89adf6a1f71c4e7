import { Type } from 'class-transformer';
import { IsDate, IsString, MinLength } from 'class-validator';
import { CeleryEvent } from 'nestjs-celery';

/** Logistics handed an order's shipment to the carrier. */
@CeleryEvent({ exchange: 'logistic', routingKey: 'logistic.v1.dispatched' })
export class ShipmentDispatched {
  @IsString()
  @MinLength(1)
  orderId!: string;

  @IsString()
  @MinLength(1)
  shipmentId!: string;

  @IsDate()
  @Type(() => Date)
  dispatchedAt!: Date;
}
