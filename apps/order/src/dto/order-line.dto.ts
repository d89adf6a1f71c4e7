import { IsInt, IsNotEmpty, IsNumber, IsPositive, IsString, Max, MaxLength, Min } from 'class-validator';

/** One line of `POST /orders`. */
export class OrderLineDto {
  /** The item's id, e.g. `book-42`. */
  @IsString()
  @IsNotEmpty()
  @MaxLength(64)
  itemId!: string;

  /** Whole units, at least 1. */
  @IsInt()
  @Min(1)
  @Max(10_000)
  quantity!: number;

  /** Price of one unit in currency units, > 0, at most two decimals. */
  @IsNumber({ allowNaN: false, allowInfinity: false, maxDecimalPlaces: 2 })
  @IsPositive()
  @Max(1_000_000)
  unitPrice!: number;
}
