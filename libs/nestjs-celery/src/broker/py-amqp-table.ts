/**
 * Header and argument tables typed for py-amqp (wire spec §8): left to itself, amqplib tags small
 * integers `b`/`s`, which py-amqp 5.1 reads as unsigned byte / short *string* (the worker
 * crashes). {@link toPyAmqpTable} types every integer as `I` (int32), `l` (int64, non-negative
 * only) or `d`, in amqplib's explicit-type notation.
 */

const INT32_MIN = -0x80000000;
const INT32_MAX = 0x7fffffff;

/** amqplib's explicit-type notation for a field value. */
export interface TypedFieldValue {
  '!': string;
  value: unknown;
}

const INT64_MAX = 0x7fffffffffffffffn;

function typedNumber(n: number): TypedFieldValue {
  // Explicit for non-integers too: left untyped, amqplib picks 'l' for |n| >= 2^50 and for
  // NaN/Infinity, and then throws converting them to BigInt.
  if (!Number.isInteger(n)) return { '!': 'double', value: n };
  if (n >= INT32_MIN && n <= INT32_MAX) return { '!': 'int32', value: n };
  // py-amqp reads 'l' as unsigned: only non-negative values survive; others go as double.
  return n >= 0 && Number.isSafeInteger(n) ? { '!': 'int64', value: n } : { '!': 'double', value: n };
}

function typedBigInt(n: bigint): TypedFieldValue {
  if (n >= BigInt(INT32_MIN) && n <= BigInt(INT32_MAX)) return { '!': 'int32', value: Number(n) };
  // amqplib writes an int64 from the bigint itself, so no precision is lost.
  if (n >= 0n && n <= INT64_MAX) return { '!': 'int64', value: n };
  return { '!': 'double', value: Number(n) };
}

function typedValue(value: unknown): unknown {
  switch (typeof value) {
    case 'number':
      return typedNumber(value);
    case 'bigint':
      return typedBigInt(value);
    case 'object': {
      if (value === null || Buffer.isBuffer(value)) return value;
      if (value instanceof Date) return value.toISOString();
      if (Array.isArray(value)) return value.map(typedValue);
      if (Object.hasOwn(value, '!')) return value;
      return toPyAmqpTable(value as Record<string, unknown>);
    }
    case 'undefined':
      return null;
    default:
      return value;
  }
}

/**
 * Returns a copy of a header or arguments table in which every integer is explicitly typed
 * so py-amqp decodes it correctly. Strings, booleans, null and floats pass as they are.
 */
export function toPyAmqpTable(table: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(table)) out[key] = typedValue(table[key]);
  return out;
}

/** True for a value amqplib writes as py-amqp reads it without typing: a string, a boolean or null. */
function writtenAsIs(value: unknown): boolean {
  return typeof value === 'string' || typeof value === 'boolean' || value === null;
}

/**
 * The table to hand amqplib for these headers: the table itself when amqplib writes every value
 * as py-amqp reads it (strings, booleans, null: Celery's compact headers), else
 * {@link toPyAmqpTable}'s typed copy. The common case then allocates nothing per message.
 */
export function pyAmqpHeaders(table: Record<string, unknown>): Record<string, unknown> {
  for (const key in table) {
    if (!Object.hasOwn(table, key) || !writtenAsIs(table[key])) return toPyAmqpTable(table);
  }
  return table;
}
