import { describe, expect, it } from '@jest/globals';
import 'reflect-metadata';
import { Exclude, Expose, instanceToPlain, plainToInstance, Transform, Type } from 'class-transformer';
import { InvoiceIssued, OrderChargedBack, OrderSubmitted, OrderSubmittedLine, OrderSubmittedV2, ShipmentDispatched } from '@app/contracts';
import { validateSync, type ValidationError } from 'class-validator';
import type { EventClass } from './celery-event.metadata.js';
import { decodeEventPayload, encodeEventPayload } from './event-payload.codec.js';

/*
 * The codec's conversions are class-transformer's `instanceToPlain` and `plainToInstance` with
 * default options (no excludeExtraneousValues, no implicit conversion), validated by
 * `validateSync` with forbidUnknownValues. These cases pin that contract on every contract and
 * on the edge cases, so any faster path added later must give exactly what the libraries give.
 */

/** A value spelled out with its classes, own keys (undefined ones too), array holes and date values (NaN included). */
function anatomy(value: unknown): unknown {
  if (value instanceof Date) return `Date(${value.valueOf()})`;
  if (typeof value !== 'object' || value === null) return typeof value === 'function' ? 'function' : value;
  if (Array.isArray(value)) return ['Array', value.length, Object.keys(value).map((i) => [i, anatomy(value[Number(i)])])];
  const constructor = (value as { constructor?: { name?: string } }).constructor;
  return [constructor?.name ?? 'null-prototype', Object.entries(value).map(([key, item]) => [key, anatomy(item)])];
}

const VALIDATION = { forbidUnknownValues: true, validationError: { target: false, value: false } } as const;

function violationLines(errors: ValidationError[], prefix = ''): string[] {
  return errors.flatMap((error) => {
    const path = prefix ? `${prefix}.${error.property}` : error.property;
    return [...Object.values(error.constraints ?? {}).map((m) => `${path}: ${m}`), ...violationLines(error.children ?? [], path)];
  });
}

/** `decodeEventPayload` gives class-transformer's instance when class-validator accepts it, else class-validator's violations. */
function expectSamePlainToEvent(type: EventClass, plain: object): void {
  const expected = plainToInstance(type, plain) as object;
  const violations = violationLines(validateSync(expected, VALIDATION));
  const decoded = decodeEventPayload(type, plain);
  if (violations.length === 0) {
    expect(decoded.ok).toBe(true);
    expect(anatomy(decoded.ok && decoded.event)).toEqual(anatomy(expected));
  } else {
    expect(decoded).toEqual({ ok: false, violations });
  }
}

/** Both directions must give exactly what class-transformer gives: same classes, same keys, same values. */
function expectSameAsClassTransformer(type: EventClass, event: object): void {
  const plain = encodeEventPayload(event);
  expect(anatomy(plain)).toEqual(anatomy(instanceToPlain(event)));
  expect(JSON.stringify(plain)).toBe(JSON.stringify(instanceToPlain(event)));
  expectSamePlainToEvent(type, plain);
  expectSamePlainToEvent(type, JSON.parse(JSON.stringify(plain)) as object);
}

function line(itemId: unknown, quantity: unknown, unitPrice: unknown): OrderSubmittedLine {
  return Object.assign(new OrderSubmittedLine(), { itemId, quantity, unitPrice });
}

const at = new Date('2026-01-02T03:04:05.678Z');
const lines = [line('a', 2, 1.5), line('b', 1, 0)];
const plainLines = [{ itemId: 'a', quantity: 2, unitPrice: 1.5 }, { itemId: 'b', quantity: 1, unitPrice: 0 }];

/** Instances of every contract, valid and not: nested instances or plain objects, dates, strings, nulls, extra keys. */
const contractCases: Array<[string, EventClass, object]> = [
  ['OrderSubmitted, nested instances', OrderSubmitted, { orderId: 'o-1', customer: 'c', lines, submittedAt: at }],
  ['OrderSubmitted, nested plain objects', OrderSubmitted, { orderId: 'o-1', customer: 'c', lines: plainLines, submittedAt: at }],
  ['OrderSubmitted, ISO string date', OrderSubmitted, { orderId: 'o-1', customer: 'c', lines, submittedAt: at.toISOString() }],
  ['OrderSubmitted, epoch number date', OrderSubmitted, { orderId: 'o-1', customer: 'c', lines, submittedAt: 0 }],
  ['OrderSubmitted, invalid date', OrderSubmitted, { orderId: 'o-1', customer: 'c', lines, submittedAt: new Date('x') }],
  ['OrderSubmitted, null and missing fields', OrderSubmitted, { orderId: null, lines: null }],
  ['OrderSubmitted, wrong types', OrderSubmitted, { orderId: 5, customer: ['x'], lines: [line('a', '2', null), 7, 'x', null], submittedAt: true }],
  ['OrderSubmitted, lines not an array', OrderSubmitted, { orderId: 'o', customer: 'c', lines: { 0: plainLines[0] }, submittedAt: at }],
  ['OrderSubmitted, nested arrays and sparse arrays', OrderSubmitted, { orderId: 'o', lines: [[plainLines[0]], , plainLines[1]] }],
  ['OrderSubmitted, extra and prototype-named keys', OrderSubmitted, { orderId: 'o', extra: { deep: [1, { x: at }] }, toString: 'x', valueOf: 1, hasOwnProperty: 'h' }],
  ['OrderSubmittedV2', OrderSubmittedV2, { orderId: 'o-2', customer: 'c', lines, submittedAt: at, currency: 'EUR' }],
  ['OrderSubmittedV2, plain lines, bad currency', OrderSubmittedV2, { orderId: 'o-2', customer: 'c', lines: plainLines, submittedAt: at, currency: 'eur' }],
  ['OrderChargedBack', OrderChargedBack, { orderId: 'o-3', reason: 'fraud' }],
  ['InvoiceIssued', InvoiceIssued, { orderId: 'o-4', invoiceId: 'i-1', total: 12.25 }],
  ['InvoiceIssued, odd numbers', InvoiceIssued, { orderId: 'o-4', invoiceId: 'i-1', total: -0 }],
  ['ShipmentDispatched', ShipmentDispatched, { orderId: 'o-5', shipmentId: 's-1', dispatchedAt: at }],
  ['ShipmentDispatched, null date', ShipmentDispatched, { orderId: 'o-5', shipmentId: 's-1', dispatchedAt: null }],
];

class Money {
  @Type(() => Number) amount!: unknown;
  @Type(() => String) currency!: unknown;
  @Type(() => Boolean) settled!: unknown;
  get label(): string {
    return `${String(this.amount)} ${String(this.currency)}`;
  }
  describe(): string {
    return 'money';
  }
}

class Base {
  @Type(() => Money) price!: Money;
}

class Derived extends Base {
  @Type(() => Date) at!: Date;
}

class Dynamic {
  @Type((options) => ((options?.object as { kind?: string })?.kind === 'money' ? Money : Date)) value!: unknown;
  kind!: string;
}

class Untyped {
  price!: unknown;
}

describe('the event payload codec equals class-transformer and class-validator', () => {
  it.each(contractCases)('%s', (_name, type, fields) => {
    expectSameAsClassTransformer(type, Object.assign(new type(), fields));
  });

  it.each<[string, EventClass, object]>([
    ['@Type(() => Number/String/Boolean) coercions', Money, { amount: '12.5', currency: 978, settled: 0 }],
    ['@Type inherited from a base class', Derived, { price: { amount: '1', currency: 'EUR' }, at: '2026-01-01' }],
    ['@Type with a type function that reads the object', Dynamic, { kind: 'money', value: { amount: '3' } }],
    ['@Type with a type function, other branch', Dynamic, { kind: 'date', value: '2026-01-01T00:00:00Z' }],
    ['nested class instances without @Type keep their class on the way to plain', Untyped, { price: Object.assign(new Money(), { amount: 2 }) }],
    ['null-prototype objects', Untyped, { price: Object.assign(Object.create(null) as object, { a: 1 }) }],
  ])('%s', (_name, type, fields) => {
    expectSameAsClassTransformer(type, Object.assign(new type(), fields));
  });

  it('never overwrites getters and methods of the class, nor Object.prototype members of plain objects', () => {
    expectSamePlainToEvent(Money, { amount: 1, label: 'x', describe: 'y', toString: 'z' });
    expectSamePlainToEvent(Untyped, { price: { toString: 'x', valueOf: 1, isPrototypeOf: [], a: 2 } });
  });

  it('applies @Expose, @Exclude and @Transform', () => {
    class Decorated {
      @Expose({ name: 'order_id' }) orderId!: string;
      @Exclude() secret!: string;
      @Transform(({ value }) => String(value).toUpperCase()) code!: string;
      @Type(() => Money) price!: Money;
    }
    @Exclude()
    class ExposeOnly {
      @Expose() shown!: string;
      hidden!: string;
    }
    expectSameAsClassTransformer(Decorated, Object.assign(new Decorated(), { orderId: 'o', secret: 's', code: 'ab', price: { amount: '2' } }));
    expect(encodeEventPayload(Object.assign(new Decorated(), { orderId: 'o', secret: 's', code: 'ab' }))).toEqual({ order_id: 'o', code: 'AB' });
    expectSameAsClassTransformer(ExposeOnly, Object.assign(new ExposeOnly(), { shown: 'a', hidden: 'b' }));
    expectSameAsClassTransformer(Untyped, { price: Object.assign(new Decorated(), { orderId: 'o', secret: 's', code: 'x' }) });
  });

  it('converts Maps, Sets, Buffers, promises and function-valued properties as class-transformer does', () => {
    const cases = [
      { price: new Map([['a', 1]]) },
      { price: new Set([1, 2]) },
      { price: Buffer.from('ab') },
      { price: { then: 'not a function' } },
      { price: () => 'called' },
    ];
    for (const fields of cases) expectSameAsClassTransformer(Untyped, Object.assign(new Untyped(), fields));
    const withPromise = Object.assign(new Untyped(), { price: Promise.resolve(1) });
    expect(encodeEventPayload(withPromise).price).toBeInstanceOf(Promise);
  });
});
