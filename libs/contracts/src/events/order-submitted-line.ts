import { IsInt, IsNumber, IsPositive, IsString, Min, MinLength } from 'class-validator';

/** One line of a submitted order. */
export class OrderSubmittedLine {
  @IsString()
  @MinLength(1)
  itemId!: string;

  @IsInt()
  @IsPositive()
  quantity!: number;

  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  unitPrice!: number;
}
