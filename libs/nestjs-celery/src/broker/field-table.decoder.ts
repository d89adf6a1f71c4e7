/**
 * Decoding AMQP field tables as py-amqp and RabbitMQ write them (wire spec §8): amqplib cannot
 * decode `L`, which py-amqp writes for integers beyond ±2^31; {@link decodeFieldTable} reads every
 * tag. (Encoding for py-amqp: `py-amqp-table.ts`.)
 */

import { InvalidFieldTableError } from './broker.errors.js';
import { UndecodableFieldTable } from './undecodable-field-table.js';

/** Header keys seen so far, by a hash of their bytes: the same few keys arrive on every message. */
const KEY_CACHE = new Map<number, string>();
const KEY_CACHE_LIMIT = 1024;
const CACHED_KEY_MAX_LENGTH = 40;

/**
 * Reads a field-table key. Short ASCII keys come from {@link KEY_CACHE} (checked byte by byte),
 * so decoding Celery's 16 headers does not build the same 16 strings for every message.
 */
function readKey(slice: Buffer, offset: number, length: number): string {
  if (length > CACHED_KEY_MAX_LENGTH) return slice.toString('utf8', offset, offset + length);
  let hash = length;
  for (let i = 0; i < length; i++) {
    const byte = slice[offset + i]!;
    if (byte >= 0x80) return slice.toString('utf8', offset, offset + length);
    hash = (Math.imul(hash, 31) + byte) | 0;
  }
  const cached = KEY_CACHE.get(hash);
  if (cached !== undefined && cached.length === length) {
    let i = 0;
    while (i < length && cached.charCodeAt(i) === slice[offset + i]) i++;
    if (i === length) return cached;
  }
  const key = slice.toString('latin1', offset, offset + length);
  if (KEY_CACHE.size < KEY_CACHE_LIMIT) KEY_CACHE.set(hash, key);
  return key;
}

/** Nested tables and arrays deeper than this are refused: legitimate headers nest a few levels. */
export const MAX_FIELD_TABLE_DEPTH = 100;

/**
 * Decodes an AMQP field table. Accepts every tag py-amqp and RabbitMQ write:
 * `S s t b B I i l L u d f D T F A V x`. Timestamps and decimals keep amqplib's `{'!': …}` shape
 * so other amqplib users in the same process see what they expect.
 *
 * @throws InvalidFieldTableError for an unknown tag, a length past the table's end, or tables and
 *   arrays nested deeper than {@link MAX_FIELD_TABLE_DEPTH} (recursing on them would overflow the stack)
 */
export function decodeFieldTable(slice: Buffer): Record<string, unknown> {
  return decodeTable(slice, 0);
}

/**
 * {@link decodeFieldTable} that never throws: a table it cannot decode comes back as an
 * {@link UndecodableFieldTable} saying why. This is the decoder amqplib runs inside its frame
 * parser, where a throw would close the connection.
 */
export function readFieldTable(slice: Buffer): Record<string, unknown> | UndecodableFieldTable {
  try {
    return decodeTable(slice, 0);
  } catch (error) {
    const why = error instanceof InvalidFieldTableError ? error.message : `${(error as Error).name}: ${(error as Error).message}`;
    return new UndecodableFieldTable(`${why} (table of ${slice.length} bytes)`, slice);
  }
}

function malformed(what: string, at: number): never {
  throw new InvalidFieldTableError(`${what} at byte ${at} of the field table`);
}

function pastEnd(size: number, at: number): never {
  return malformed(`value of ${size} bytes past the end`, at);
}

/** The length prefix at `offset`, checked (with what it announces) against the table's end. */
function lengthAt(slice: Buffer, offset: number, end: number): number {
  if (offset + 4 > end) malformed('length past the end', offset);
  const len = slice.readUInt32BE(offset);
  if (offset + 4 + len > end) pastEnd(len, offset + 4);
  return len;
}

function decodeTable(slice: Buffer, depth: number): Record<string, unknown> {
  if (depth > MAX_FIELD_TABLE_DEPTH) {
    throw new InvalidFieldTableError(`field tables and arrays nested deeper than ${MAX_FIELD_TABLE_DEPTH} levels`);
  }
  const fields: Record<string, unknown> = {};
  let offset = 0;
  const end = slice.length;

  const readValue = (level: number): unknown => {
    const tag = slice[offset++];
    switch (tag) {
      case 0x53: { // S long string
        const len = lengthAt(slice, offset, end);
        offset += 4;
        const text = slice.toString('utf8', offset, offset + len);
        offset += len;
        return text;
      }
      case 0x49: { // I int32
        if (offset + 4 > end) pastEnd(4, offset);
        const v = slice.readInt32BE(offset);
        offset += 4;
        return v;
      }
      case 0x74: // t boolean
        if (offset + 1 > end) pastEnd(1, offset);
        return slice[offset++] !== 0;
      case 0x56: // V void
        return null;
      case 0x64: { // d double
        if (offset + 8 > end) pastEnd(8, offset);
        const v = slice.readDoubleBE(offset);
        offset += 8;
        return v;
      }
      case 0x46: { // F nested table
        const len = lengthAt(slice, offset, end);
        offset += 4;
        const v = decodeTable(slice.subarray(offset, offset + len), level + 1);
        offset += len;
        return v;
      }
      case 0x41: { // A array
        if (level + 1 > MAX_FIELD_TABLE_DEPTH) {
          throw new InvalidFieldTableError(`field tables and arrays nested deeper than ${MAX_FIELD_TABLE_DEPTH} levels`);
        }
        const len = lengthAt(slice, offset, end);
        offset += 4;
        const until = offset + len;
        const values: unknown[] = [];
        while (offset < until) values.push(readValue(level + 1));
        if (offset > until) malformed('array item past the end of its array', until);
        return values;
      }
      case 0x4c: // L int64 as py-amqp writes it
      case 0x6c: { // l int64
        if (offset + 8 > end) pastEnd(8, offset);
        const v = slice.readBigInt64BE(offset);
        offset += 8;
        return Number.isSafeInteger(Number(v)) ? Number(v) : v;
      }
      case 0x62: // b int8
        if (offset + 1 > end) pastEnd(1, offset);
        return slice.readInt8(offset++);
      case 0x42: // B uint8
        if (offset + 1 > end) pastEnd(1, offset);
        return slice.readUInt8(offset++);
      case 0x73: { // s int16
        if (offset + 2 > end) pastEnd(2, offset);
        const v = slice.readInt16BE(offset);
        offset += 2;
        return v;
      }
      case 0x75: { // u uint16
        if (offset + 2 > end) pastEnd(2, offset);
        const v = slice.readUInt16BE(offset);
        offset += 2;
        return v;
      }
      case 0x69: { // i uint32
        if (offset + 4 > end) pastEnd(4, offset);
        const v = slice.readUInt32BE(offset);
        offset += 4;
        return v;
      }
      case 0x66: { // f float
        if (offset + 4 > end) pastEnd(4, offset);
        const v = slice.readFloatBE(offset);
        offset += 4;
        return v;
      }
      case 0x44: { // D decimal
        if (offset + 5 > end) pastEnd(5, offset);
        const places = slice[offset];
        const digits = slice.readUInt32BE(offset + 1);
        offset += 5;
        return { '!': 'decimal', value: { places, digits } };
      }
      case 0x54: { // T timestamp (seconds)
        if (offset + 8 > end) pastEnd(8, offset);
        const v = Number(slice.readBigUInt64BE(offset));
        offset += 8;
        return { '!': 'timestamp', value: v };
      }
      case 0x78: { // x byte array
        const len = lengthAt(slice, offset, end);
        offset += 4;
        const v = slice.subarray(offset, offset + len);
        offset += len;
        return v;
      }
      default:
        throw new InvalidFieldTableError(`Unexpected field table type tag "${String.fromCharCode(tag ?? 0)}" at byte ${offset - 1}`);
    }
  };

  while (offset < end) {
    const keyLength = slice[offset]!;
    offset++;
    if (offset + keyLength + 1 > end) malformed('key or value past the end', offset - 1);
    const key = readKey(slice, offset, keyLength);
    offset += keyLength;
    // A '__proto__' key is a header like any other, never the table's prototype.
    if (key === '__proto__') Object.defineProperty(fields, key, { value: readValue(depth), enumerable: true, writable: true, configurable: true });
    else fields[key] = readValue(depth);
  }
  return fields;
}
