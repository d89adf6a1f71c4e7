import { BadRequestException, type ArgumentMetadata } from '@nestjs/common';
import { ChargebackDto } from './chargeback.dto.js';
import { CreateOrderDto } from './create-order.dto.js';
import { OrderLineDto } from './order-line.dto.js';
import { orderValidationPipe } from './order-validation.pipe.js';

const body = (metatype: ArgumentMetadata['metatype']): ArgumentMetadata => ({ type: 'body', metatype });

/** The pipe's 400 messages for `value`, or the transformed value. */
async function validate(value: unknown, metatype: ArgumentMetadata['metatype'] = CreateOrderDto): Promise<string[] | unknown> {
  try {
    return await orderValidationPipe.transform(value, body(metatype));
  } catch (error) {
    expect(error).toBeInstanceOf(BadRequestException);
    return ((error as BadRequestException).getResponse() as { message: string[] }).message;
  }
}

const valid = { customer: 'ada@example.com', lines: [{ itemId: 'book', quantity: 2, unitPrice: 12.5 }] };

describe('CreateOrderDto + orderValidationPipe', () => {
  it('accepts a valid order and turns it into DTO instances', async () => {
    const dto = (await validate(valid)) as CreateOrderDto;
    expect(dto).toBeInstanceOf(CreateOrderDto);
    expect(dto.lines[0]).toBeInstanceOf(OrderLineDto);
    expect(dto).toEqual(valid);
  });

  it.each<[string, unknown, string]>([
    ['an empty customer', { ...valid, customer: '' }, 'customer should not be empty'],
    ['a missing customer', { lines: valid.lines }, 'customer must be a string'],
    ['no lines', { ...valid, lines: [] }, 'lines must contain at least 1 elements'],
    ['lines that are not an array', { ...valid, lines: 'x' }, 'lines must be an array'],
    ['quantity 0', { ...valid, lines: [{ itemId: 'a', quantity: 0, unitPrice: 1 }] }, 'lines.0.quantity must not be less than 1'],
    ['a fractional quantity', { ...valid, lines: [{ itemId: 'a', quantity: 1.5, unitPrice: 1 }] }, 'lines.0.quantity must be an integer number'],
    ['a quantity given as text', { ...valid, lines: [{ itemId: 'a', quantity: '2', unitPrice: 1 }] }, 'lines.0.quantity must be an integer number'],
    ['price 0', { ...valid, lines: [{ itemId: 'a', quantity: 1, unitPrice: 0 }] }, 'lines.0.unitPrice must be a positive number'],
    ['a negative price', { ...valid, lines: [{ itemId: 'a', quantity: 1, unitPrice: -3 }] }, 'lines.0.unitPrice must be a positive number'],
    ['sub-cent prices', { ...valid, lines: [{ itemId: 'a', quantity: 1, unitPrice: 1.005 }] }, 'lines.0.unitPrice must be a number conforming to the specified constraints'],
    ['an empty item id', { ...valid, lines: [{ itemId: '', quantity: 1, unitPrice: 1 }] }, 'lines.0.itemId should not be empty'],
    ['an unknown top-level property', { ...valid, coupon: 'FREE' }, 'property coupon should not exist'],
    ['an unknown line property', { ...valid, lines: [{ itemId: 'a', quantity: 1, unitPrice: 1, discount: 1 }] }, 'lines.0.property discount should not exist'],
  ])('answers 400 for %s', async (_name, value, message) => {
    expect(await validate(value)).toContain(message);
  });

  it('lists every violation at once', async () => {
    const messages = (await validate({ customer: 3, lines: [{ quantity: -1 }] })) as string[];
    expect(messages.length).toBeGreaterThanOrEqual(4);
  });
});

describe('ChargebackDto', () => {
  it('takes an optional reason and nothing else', async () => {
    expect(await validate({}, ChargebackDto)).toEqual({});
    expect(await validate({ reason: 'fraud' }, ChargebackDto)).toEqual({ reason: 'fraud' });
    expect(await validate({ reason: '' }, ChargebackDto)).toContain('reason should not be empty');
    expect(await validate({ amount: 3 }, ChargebackDto)).toContain('property amount should not exist');
  });
});
