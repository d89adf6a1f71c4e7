/** The Python types {@link PythonValue} stands for, named as kombu's JSON type markers name them. */
export type PythonValueType = 'decimal' | 'uuid' | 'date' | 'time';

const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$|^[+-]?(?:Infinity|Inf|NaN)$/i;
const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
/** What `time.fromisoformat` reads on every Python 3 that runs kombu 5.5 (3.8+): `isoformat()`'s forms. */
const TIME = /^([01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d{3}|\.\d{6})?)?(?:[+-](?:[01]\d|2[0-3]):[0-5]\d)?$/;

function refuse(type: PythonValueType, value: unknown, expected: string): never {
  throw new TypeError(`PythonValue.${type}(): ${JSON.stringify(String(value))} is not ${expected}`);
}

/**
 * A value that has a Python type but no JavaScript one: `decimal.Decimal`, `uuid.UUID`,
 * `datetime.date` or `datetime.time`. Sent with `jsonTypeMarkers` (to a Celery ≥ 5.3 peer) it is
 * written as kombu's JSON type marker, `{"__type__": "decimal", "__value__": "12.50"}`, so the
 * Python task receives that type; otherwise as the string kombu 5.2 writes for it, which is also
 * what `toJSON()` and `toString()` give. (A `Date` needs no wrapper: it is Python's `datetime`.)
 * Received values are never wrapped: Celery JSON decodes these types to strings.
 *
 * @example client.sendTask('billing.charge', [PythonValue.decimal('12.50'), PythonValue.uuid(orderId)])
 */
export class PythonValue {
  private constructor(
    /** The Python type: the marker's `__type__`. */
    readonly type: PythonValueType,
    /** The value as kombu ≥ 5.3 writes it in the marker's `__value__` (for `uuid`: the 32 hex digits). */
    readonly value: string,
    /** The string kombu 5.2 writes for the same Python value. */
    private readonly plain: string,
  ) {}

  /** A `decimal.Decimal`, exactly as written: `'12.50'`, `-1e-7`, a `bigint`, `'NaN'`. */
  static decimal(value: string | number | bigint): PythonValue {
    const text = String(value);
    if (!DECIMAL.test(text)) refuse('decimal', value, 'a decimal number');
    return new PythonValue('decimal', text, text);
  }

  /** A `uuid.UUID` from its 32 hex digits, with or without hyphens. */
  static uuid(value: string): PythonValue {
    if (typeof value !== 'string' || !UUID.test(value)) refuse('uuid', value, 'a UUID');
    const hex = value.replaceAll('-', '').toLowerCase();
    return new PythonValue('uuid', hex, `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`);
  }

  /** A `datetime.date` from `'YYYY-MM-DD'`, or from a `Date`'s UTC day. Kombu 5.2 writes a date as a naive midnight. */
  static date(value: string | Date): PythonValue {
    const text = value instanceof Date ? value.toISOString().slice(0, 10) : value;
    const match = typeof text === 'string' ? DATE.exec(text) : null;
    const check = match ? new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]))) : undefined;
    if (!check || Number.isNaN(check.getTime()) || check.toISOString().slice(0, 10) !== text) refuse('date', value, "a 'YYYY-MM-DD' date");
    return new PythonValue('date', text, `${text}T00:00:00`);
  }

  /** A `datetime.time` as `time.isoformat()` writes it: `'HH:MM[:SS[.fff|.ffffff]][±HH:MM]'`. */
  static time(value: string): PythonValue {
    if (typeof value !== 'string' || !TIME.test(value)) refuse('time', value, "an 'HH:MM[:SS[.ffffff]][±HH:MM]' time");
    return new PythonValue('time', value, value);
  }

  /** The string kombu 5.2 writes (what a peer without type markers receives). */
  toJSON(): string {
    return this.plain;
  }

  toString(): string {
    return this.plain;
  }
}
