import { describe, expect, it } from '@jest/globals';
import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import {
  IsDefined,
  IsInt,
  IsOptional,
  IsString,
  Min,
  Validate,
  ValidateIf,
  ValidateNested,
  ValidatePromise,
  ValidatorConstraint,
  validateSync,
  type ValidatorConstraintInterface,
} from 'class-validator';
import { InvoiceIssued, OrderChargedBack, OrderSubmitted, OrderSubmittedLine, OrderSubmittedV2, ShipmentDispatched } from '@app/contracts';
import type { EventClass } from './celery-event.metadata.js';
import { eventViolations } from './event-payload.codec.js';

const OPTIONS = { forbidUnknownValues: true, validationError: { target: false, value: false } } as const;

/*
 * Event validation is class-validator's `validateSync` with forbidUnknownValues and no groups
 * (unknown keys kept, no whitelist); these cases pin its verdict on every rule kind.
 */
function passesValidation(event: object): boolean {
  return eventViolations(event).length === 0;
}

function expectSameVerdict(event: object): void {
  expect({ event, valid: passesValidation(event) }).toEqual({ event, valid: validateSync(event, OPTIONS).length === 0 });
}

/** A small deterministic generator, so every run checks the same events. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
}

const at = new Date('2026-01-02T03:04:05.678Z');
const anyValue = [undefined, null, '', 'x', 'EUR', 'eur', 0, -1, 1, 2.5, NaN, Infinity, true, at, new Date('x'), [], {}, [1], '2026-01-01'];
const lineValues = (): unknown[] => [
  Object.assign(new OrderSubmittedLine(), { itemId: 'a', quantity: 2, unitPrice: 1.5 }),
  Object.assign(new OrderSubmittedLine(), { itemId: '', quantity: 2, unitPrice: 1.5 }),
  Object.assign(new OrderSubmittedLine(), { itemId: 'a', quantity: 0, unitPrice: 1.5 }),
  Object.assign(new OrderSubmittedLine(), { itemId: 'a', quantity: 1.5, unitPrice: -1 }),
  Object.assign(new OrderSubmittedLine(), { itemId: 'a', quantity: 1 }),
  { itemId: 'a', quantity: 2, unitPrice: 1.5 },
  plainToInstance(OrderSubmittedLine, { itemId: 'b', quantity: '2', unitPrice: 3 }),
  null,
  undefined,
  'line',
  [],
];

/** Good values of each contract field, plus every odd value; lines drawn from valid and broken lines. */
const fields: Array<[EventClass, Record<string, unknown[]>]> = [
  [OrderSubmitted, { orderId: ['o-1', 'o-2'], customer: ['c'], lines: [], submittedAt: [at] }],
  [OrderSubmittedV2, { orderId: ['o-1'], customer: ['c'], lines: [], submittedAt: [at], currency: ['EUR', 'USD'] }],
  [OrderChargedBack, { orderId: ['o-1'], reason: ['fraud'] }],
  [InvoiceIssued, { orderId: ['o-1'], invoiceId: ['i-1'], total: [0, 12.5] }],
  [ShipmentDispatched, { orderId: ['o-1'], shipmentId: ['s-1'], dispatchedAt: [at] }],
];

function randomEvent(type: EventClass, spec: Record<string, unknown[]>, next: () => number): object {
  const pick = <T>(values: T[]): T => values[Math.floor(next() * values.length)]!;
  const event = new type() as Record<string, unknown>;
  for (const [field, good] of Object.entries(spec)) {
    if (field === 'lines') {
      const count = Math.floor(next() * 4);
      event.lines = next() < 0.9 ? Array.from({ length: count }, () => (next() < 0.7 ? lineValues()[0] : pick(lineValues()))) : pick(anyValue);
    } else if (next() < 0.75) {
      event[field] = pick(good);
    } else if (next() < 0.9) {
      event[field] = pick(anyValue);
    }
  }
  if (next() < 0.1) event.extra = pick(anyValue);
  return event;
}

@ValidatorConstraint({ name: 'even' })
class Even implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    return typeof value === 'number' && value % 2 === 0;
  }
}

@ValidatorConstraint({ name: 'eventually', async: true })
class Eventually implements ValidatorConstraintInterface {
  validate(): Promise<boolean> {
    return Promise.resolve(false);
  }
}

@ValidatorConstraint({ name: 'promising' })
class Promising implements ValidatorConstraintInterface {
  validate(): Promise<boolean> {
    return Promise.resolve(false);
  }
}

class Leaf {
  @IsInt() n!: unknown;
}

class Rules {
  @IsOptional() @IsString() note?: unknown;
  @ValidateIf((o: Rules) => o.kind === 'checked') @Min(10) amount?: unknown;
  kind?: unknown;
  @IsDefined() required?: unknown;
  @IsInt({ each: true }) counts?: unknown;
  @Validate(Even) even?: unknown;
  @IsString({ validateIf: (o: Rules) => o.kind !== 'other' }) label?: unknown;
  @Validate(Eventually) later?: unknown;
  @ValidateNested() leaf?: unknown;
  @ValidateNested({ each: true }) leaves?: unknown;
}

class StricterRules extends Rules {
  // A subclass's custom constraint on a property replaces the inherited ones (class-validator's rule).
  @IsString() override even?: unknown = undefined;
}

class PromiseRules {
  @ValidatePromise() @ValidateNested() pending?: unknown;
}

class SyncPromise {
  @Validate(Promising) value?: unknown;
}

const leaf = (n: unknown) => Object.assign(new Leaf(), { n });
const ruleValues: Record<string, unknown[]> = {
  note: [undefined, null, 'n', 5],
  amount: [undefined, 5, 10, 'x'],
  kind: [undefined, 'checked', 'other'],
  required: [undefined, null, 0, ''],
  counts: [undefined, [], [1, 2], [1, 'x'], new Set([1, 2]), new Set(['x']), new Map([['a', 1]]), new Map([['a', 1.5]]), 3, 'x'],
  even: [undefined, 2, 3, 'x'],
  label: [undefined, 'l', 1],
  later: [undefined, 1],
  leaf: [undefined, null, leaf(1), leaf('x'), { n: 1 }, 'x', [leaf(1), leaf(2)], [leaf(1), 'x'], [[leaf(1)]], [undefined, leaf(1)]],
  leaves: [undefined, [], [leaf(1)], [leaf(1), leaf(1.5)], new Set([leaf(1)]), new Map([['a', leaf('x')]]), [null], [{ n: 1 }], leaf(2)],
};

describe('eventViolations agrees with class-validator', () => {
  it.each(fields.map(([type, spec]) => [type.name, type, spec] as const))('on 400 random %s events, valid and not', (_name, type, spec) => {
    const next = random(type.name.length * 7919);
    let valid = 0;
    for (let i = 0; i < 400; i++) {
      const event = randomEvent(type, spec, next);
      expectSameVerdict(event);
      if (validateSync(event, OPTIONS).length === 0) valid++;
    }
    expect(valid).toBeGreaterThan(20);
    expect(valid).toBeLessThan(380);
  });

  it('on optional, conditional, defined, each, custom, async and nested rules, and inherited ones', () => {
    const next = random(42);
    let valid = 0;
    for (let i = 0; i < 4000; i++) {
      const type = next() < 0.5 ? Rules : StricterRules;
      const event = new type() as Record<string, unknown>;
      for (const [field, values] of Object.entries(ruleValues)) event[field] = values[Math.floor(next() * values.length)];
      expectSameVerdict(event);
      if (passesValidation(event)) valid++;
    }
    expect(valid).toBeGreaterThan(10);
  });

  it('objects without rules fail (forbidUnknownValues); promise rules and promise answers get validateSync\'s verdict', () => {
    expect(passesValidation({ a: 1 })).toBe(false);
    expect(passesValidation(new (class NoRules {})())).toBe(false);
    expectSameVerdict(Object.assign(new PromiseRules(), { pending: leaf(1) }));
    expectSameVerdict(Object.assign(new SyncPromise(), { value: 1 }));
    expect(validateSync(Object.assign(new SyncPromise(), { value: 1 }), OPTIONS)).toEqual([]);
  });
});
