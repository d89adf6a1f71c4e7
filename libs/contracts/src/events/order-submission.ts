import { Type } from 'class-transformer';
import { ArrayMinSize, IsArray, IsDate, IsString, MinLength, ValidateNested } from 'class-validator';
import { OrderSubmittedLine } from './order-submitted-line.js';

/** Fields every version of the order-submitted event carries (not an event itself). */
export abstract class OrderSubmission {
  @IsString()
  @MinLength(1)
  orderId!: string;

  @IsString()
  @MinLength(1)
  customer!: string;

  @IsArray()
  @ArrayMinSize(1)
  @ValidateNested({ each: true })
  @Type(() => OrderSubmittedLine)
  lines!: OrderSubmittedLine[];

  @IsDate()
  @Type(() => Date)
  submittedAt!: Date;
}
