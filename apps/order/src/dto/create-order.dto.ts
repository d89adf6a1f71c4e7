import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsNotEmpty, IsString, MaxLength, ValidateNested } from 'class-validator';
import { OrderLineDto } from './order-line.dto.js';

/** Body of `POST /orders`. */
export class CreateOrderDto {
  /** Who orders, e.g. `ada@example.com`. */
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  customer!: string;

  /** At least one line. */
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => OrderLineDto)
  lines!: OrderLineDto[];
}
