import { IsNumber, IsString, Min, MinLength } from 'class-validator';
import { CeleryEvent } from 'nestjs-celery';

/** Billing issued the invoice of an order. */
@CeleryEvent({ exchange: 'billing', routingKey: 'billing.v1.invoiced' })
export class InvoiceIssued {
  @IsString()
  @MinLength(1)
  orderId!: string;

  @IsString()
  @MinLength(1)
  invoiceId!: string;

  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  total!: number;
}
