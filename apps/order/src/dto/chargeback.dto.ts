import { IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';

/** Body of `POST /orders/:id/chargeback` (optional). */
export class ChargebackDto {
  /** Why the payment was charged back. Default `customer dispute`. */
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  reason?: string;
}
