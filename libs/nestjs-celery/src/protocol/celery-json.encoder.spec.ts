import { describe, expect, it } from '@jest/globals';
import { CeleryEncodeError, stringifyCeleryJson, toCeleryJsonData } from './celery-json.encoder.js';

/** The CeleryEncodeError `fn` throws. */
function encodeError(fn: () => unknown): CeleryEncodeError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(CeleryEncodeError);
    return error as CeleryEncodeError;
  }
  throw new Error('expected a CeleryEncodeError');
}

class Money {
  constructor(
    readonly amount: number,
    readonly currency: string,
  ) {}
  get label(): string {
    return `${this.amount} ${this.currency}`;
  }
  format(): string {
    return this.label;
  }
}

class Cents {
  constructor(private readonly cents: number) {}
  toJSON(): number {
    return this.cents / 100;
  }
}

describe('toCeleryJsonData: one rule per kind of value', () => {
  it('returns plain JSON data as it is, without copying', () => {
    const value = { a: [1, 'x', null, true, { b: 2.5 }], c: {} };
    expect(toCeleryJsonData(value, 'result')).toBe(value);
    const list = [1, [2, [3]]];
    expect(toCeleryJsonData(list, 'args')).toBe(list);
  });

  it('Date -> its ISO 8601 string (UTC, Z), as kombu writes an aware datetime', () => {
    const at = new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 123));
    expect(toCeleryJsonData({ at }, 'result')).toEqual({ at: '2026-01-02T03:04:05.123Z' });
    expect(toCeleryJsonData(at, 'result')).toBe('2026-01-02T03:04:05.123Z');
  });

  it('an invalid Date -> EncodeError (JSON would write null)', () => {
    const error = encodeError(() => toCeleryJsonData({ at: new Date(Number.NaN) }, 'result'));
    expect(error.path).toBe('result.at');
    expect(error.excArgs).toEqual(["ValueError('Invalid Date is not JSON serializable (at result.at)')"]);
  });

  it('Map -> an object, keys written as Python json writes dict keys (numbers and booleans as text)', () => {
    const map = new Map<unknown, unknown>([['a', 1], [2, new Map([['x', new Date(0)]])], [true, null]]);
    expect(toCeleryJsonData(map, 'result')).toEqual({ a: 1, '2': { x: '1970-01-01T00:00:00.000Z' }, true: null });
    expect(stringifyCeleryJson({ m: new Map([['__proto__', 1]]) }, 'result')).toBe('{"m":{"__proto__":1}}');
  });

  it('a Map with an object key -> EncodeError naming the path', () => {
    const error = encodeError(() => toCeleryJsonData({ m: new Map([[{}, 1]]) }, 'result'));
    expect(error.path).toBe('result.m');
    expect(error.message).toContain('Map keys must be str, int, float or bool');
  });

  it('class instance -> its own enumerable properties (no getters, no methods), as JSON.stringify writes it', () => {
    const money = new Money(5, 'EUR');
    expect(toCeleryJsonData(money, 'result')).toBe(money); // nothing to convert: JSON writes it the same
    expect(JSON.parse(stringifyCeleryJson({ money }, 'result'))).toEqual({ money: { amount: 5, currency: 'EUR' } });
  });

  it('a class instance holding a Map or a Date is copied as a plain object with them converted', () => {
    class Order {
      lines = new Map([['sku-1', 2]]);
      at = new Date(0);
      id = 'o-1';
    }
    expect(toCeleryJsonData(new Order(), 'result')).toEqual({ lines: { 'sku-1': 2 }, at: '1970-01-01T00:00:00.000Z', id: 'o-1' });
  });

  it('toJSON() decides, as kombu honours __json__ (and its result follows the rules too)', () => {
    expect(toCeleryJsonData({ price: new Cents(1250) }, 'result')).toEqual({ price: 12.5 });
    const nested = { toJSON: () => ({ tags: new Map([['k', 'v']]) }) };
    expect(toCeleryJsonData(nested, 'result')).toEqual({ tags: { k: 'v' } });
    class Self {
      n = 1;
      toJSON(): this {
        return this;
      }
    }
    expect(JSON.parse(stringifyCeleryJson(new Self(), 'result'))).toEqual({ n: 1 });
  });

  it('undefined: dropped from an object, null in an array, null at the top (JSON and Python None)', () => {
    expect(stringifyCeleryJson({ a: undefined, b: 1 }, 'result')).toBe('{"b":1}');
    expect(stringifyCeleryJson([undefined, 1], 'args')).toBe('[null,1]');
    expect(stringifyCeleryJson(undefined, 'result')).toBe('null');
  });

  it('boxed primitives are their value', () => {
    expect(toCeleryJsonData([new Number(1), new String('s'), new Boolean(false)], 'args')).toEqual([1, 's', false]);
  });

  it.each([
    ['BigInt', { total: 10n }, 'result.total', "TypeError('Object of type BigInt is not JSON serializable (at result.total)')"],
    ['a function', { cb: () => 1 }, 'result.cb', "TypeError('Object of type function is not JSON serializable (at result.cb)')"],
    ['a symbol', [Symbol('s')], 'result[0]', "TypeError('Object of type symbol is not JSON serializable (at result[0])')"],
    ['a Set', { tags: new Set(['a']) }, 'result.tags', "TypeError('Object of type Set is not JSON serializable (at result.tags)')"],
    ['a Buffer', { raw: Buffer.from('ab') }, 'result.raw', "TypeError('Object of type Buffer is not JSON serializable (at result.raw)')"],
    ['a Uint8Array', { raw: new Uint8Array(2) }, 'result.raw', "TypeError('Object of type Uint8Array is not JSON serializable (at result.raw)')"],
    ['an ArrayBuffer', { raw: new ArrayBuffer(2) }, 'result.raw', "TypeError('Object of type ArrayBuffer is not JSON serializable (at result.raw)')"],
    ['an Error', { why: new RangeError('x') }, 'result.why', "TypeError('Object of type RangeError is not JSON serializable (at result.why)')"],
    ['a Promise', { later: Promise.resolve(1) }, 'result.later', "TypeError('Object of type Promise is not JSON serializable (at result.later)')"],
    ['a RegExp', { re: /x/ }, 'result.re', "TypeError('Object of type RegExp is not JSON serializable (at result.re)')"],
  ])('%s -> EncodeError with the path, in the argument shape Celery sends', (_kind, value, path, excArg) => {
    const error = encodeError(() => toCeleryJsonData(value, 'result'));
    expect(error).toMatchObject({ name: 'CeleryEncodeError', excType: 'EncodeError', excModule: 'kombu.exceptions', path });
    expect(error.excArgs).toEqual([excArg]);
    expect(error.message).toContain(path);
  });

  it('a function or symbol inside an object is an error, not silently dropped as JSON.stringify does', () => {
    expect(JSON.stringify({ cb: () => 1 })).toBe('{}');
    expect(encodeError(() => toCeleryJsonData({ a: { b: [1, { cb: () => 1 }] } }, 'result')).path).toBe('result.a.b[1].cb');
  });

  it('a circular reference -> EncodeError (ValueError, as Python json reports it); shared references are fine', () => {
    const node: Record<string, unknown> = { name: 'n' };
    node.self = { back: node };
    const error = encodeError(() => toCeleryJsonData({ node }, 'result'));
    expect(error.path).toBe('result.node.self.back');
    expect(error.excArgs[0]).toMatch(/^ValueError\('Circular reference detected/);
    const shared = { x: 1 };
    expect(toCeleryJsonData({ a: shared, b: [shared, shared] }, 'result')).toEqual({ a: { x: 1 }, b: [{ x: 1 }, { x: 1 }] });
  });

  it('a key that is not an identifier is quoted in the path', () => {
    expect(encodeError(() => toCeleryJsonData({ 'a b': 1n }, 'kwargs')).path).toBe('kwargs["a b"]');
    expect(encodeError(() => toCeleryJsonData({ ['k'.repeat(10_000)]: 1n }, 'kwargs')).path).toBe(`kwargs["${'k'.repeat(40)}…"]`);
  });

  it('a value nested too deeply for the stack -> EncodeError, not a RangeError', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(encodeError(() => toCeleryJsonData(deep, 'result')).excArgs[0]).toMatch(/^RecursionError\(/);
  });

  it('a toJSON() or getter that throws -> EncodeError wrapping it, as kombu wraps what its encoder raises', () => {
    const value = {
      get broken(): never {
        throw new TypeError('no access');
      },
    };
    const error = encodeError(() => toCeleryJsonData(value, 'result'));
    expect(error.excArgs).toEqual(["TypeError('TypeError: no access (at result)')"]);
  });
});
