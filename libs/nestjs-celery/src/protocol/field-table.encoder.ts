/**
 * Serializes a header table in one pass, byte for byte as amqplib's `encodeTable` writes
 * `toPyAmqpTable(table)`: integers as `I` (int32) or `l` (non-negative int64), other numbers as
 * `d`, strings as `S`, booleans `t`, null and undefined `V`, Buffers `x`, Dates as their ISO
 * string, arrays `A`, plain objects `F`. This is the per-message path of every publish (Celery's
 * 16 task headers), so it writes straight into the target buffer with no intermediate objects.
 */

/** The buffer being written and its end (set by {@link writeFieldTable} for one synchronous pass). */
let SCRATCH: Buffer = Buffer.alloc(0);
let LIMIT = 0;
const INT32_MIN = -0x80000000;
const INT32_MAX = 0x7fffffff;
const INT64_MAX = 0x7fffffffffffffffn;
const INT32_MIN_BIG = BigInt(INT32_MIN);
const INT32_MAX_BIG = BigInt(INT32_MAX);
/** Returned by the writers for a value this encoder leaves to amqplib (explicit `{'!': …}` types, symbols, sparse arrays, overflow). */
const UNSUPPORTED = -1;

const TAG_S = 0x53;
const TAG_I = 0x49;
const TAG_L = 0x6c;
const TAG_D = 0x64;
const TAG_T = 0x74;
const TAG_V = 0x56;
const TAG_X = 0x78;
const TAG_A = 0x41;
const TAG_F = 0x46;

/** Writes `text` as UTF-8 at `offset` (space already checked) and returns its byte length. */
function writeText(text: string, offset: number): number {
  const length = text.length;
  if (length < 64) {
    let i = 0;
    for (; i < length; i++) {
      const code = text.charCodeAt(i);
      if (code >= 0x80) break;
      SCRATCH[offset + i] = code;
    }
    if (i === length) return length;
  }
  return SCRATCH.write(text, offset, 'utf8');
}

/** True when `text` fits at `offset` followed by `reserve` more bytes. */
function fits(text: string, offset: number, reserve: number): boolean {
  if (offset + reserve + text.length * 3 <= LIMIT) return true;
  return offset + reserve + Buffer.byteLength(text, 'utf8') <= LIMIT;
}

function writeString(text: string, offset: number): number {
  if (!fits(text, offset, 5)) return UNSUPPORTED;
  SCRATCH[offset] = TAG_S;
  const length = writeText(text, offset + 5);
  SCRATCH.writeUInt32BE(length, offset + 1);
  return offset + 5 + length;
}

function writeNumber(n: number, offset: number): number {
  if (offset + 9 > LIMIT) return UNSUPPORTED;
  if (Number.isInteger(n)) {
    if (n >= INT32_MIN && n <= INT32_MAX) {
      SCRATCH[offset] = TAG_I;
      SCRATCH.writeInt32BE(n, offset + 1);
      return offset + 5;
    }
    if (n >= 0 && Number.isSafeInteger(n)) {
      SCRATCH[offset] = TAG_L;
      SCRATCH.writeBigInt64BE(BigInt(n), offset + 1);
      return offset + 9;
    }
  }
  SCRATCH[offset] = TAG_D;
  SCRATCH.writeDoubleBE(n, offset + 1);
  return offset + 9;
}

function writeBigInt(n: bigint, offset: number): number {
  if (offset + 9 > LIMIT) return UNSUPPORTED;
  if (n >= INT32_MIN_BIG && n <= INT32_MAX_BIG) {
    SCRATCH[offset] = TAG_I;
    SCRATCH.writeInt32BE(Number(n), offset + 1);
    return offset + 5;
  }
  if (n >= 0n && n <= INT64_MAX) {
    SCRATCH[offset] = TAG_L;
    SCRATCH.writeBigInt64BE(n, offset + 1);
    return offset + 9;
  }
  SCRATCH[offset] = TAG_D;
  SCRATCH.writeDoubleBE(Number(n), offset + 1);
  return offset + 9;
}

function writeArray(values: unknown[], offset: number): number {
  if (offset + 5 > LIMIT) return UNSUPPORTED;
  SCRATCH[offset] = TAG_A;
  const start = offset + 5;
  let end = start;
  for (let i = 0; i < values.length; i++) {
    if (!(i in values)) return UNSUPPORTED; // amqplib throws on holes
    end = writeValue(values[i], end);
    if (end === UNSUPPORTED) return UNSUPPORTED;
  }
  SCRATCH.writeUInt32BE(end - start, offset + 1);
  return end;
}

function writeValue(value: unknown, offset: number): number {
  switch (typeof value) {
    case 'string':
      return writeString(value, offset);
    case 'number':
      return writeNumber(value, offset);
    case 'boolean':
      if (offset + 2 > LIMIT) return UNSUPPORTED;
      SCRATCH[offset] = TAG_T;
      SCRATCH[offset + 1] = value ? 1 : 0;
      return offset + 2;
    case 'undefined':
      if (offset + 1 > LIMIT) return UNSUPPORTED;
      SCRATCH[offset] = TAG_V;
      return offset + 1;
    case 'bigint':
      return writeBigInt(value, offset);
    case 'object': {
      if (value === null) {
        if (offset + 1 > LIMIT) return UNSUPPORTED;
        SCRATCH[offset] = TAG_V;
        return offset + 1;
      }
      if (Array.isArray(value)) return writeArray(value, offset);
      if (Buffer.isBuffer(value)) {
        if (offset + 5 + value.length > LIMIT) return UNSUPPORTED;
        SCRATCH[offset] = TAG_X;
        SCRATCH.writeUInt32BE(value.length, offset + 1);
        value.copy(SCRATCH, offset + 5);
        return offset + 5 + value.length;
      }
      if (value instanceof Date) return writeString(value.toISOString(), offset);
      if (Object.hasOwn(value, '!')) return UNSUPPORTED;
      if (offset + 1 > LIMIT) return UNSUPPORTED;
      SCRATCH[offset] = TAG_F;
      return writeEntries(value as Record<string, unknown>, offset + 1);
    }
    default:
      return UNSUPPORTED; // symbols and functions: amqplib reports them
  }
}

/** Writes a table (size prefix and entries) at `offset`; returns the end offset. */
function writeEntries(table: Record<string, unknown>, offset: number): number {
  if (offset + 4 > LIMIT) return UNSUPPORTED;
  const start = offset + 4;
  let end = start;
  for (const key of Object.keys(table)) {
    if (!fits(key, end, 1)) return UNSUPPORTED;
    const length = writeText(key, end + 1);
    if (length > 255) return UNSUPPORTED; // amqplib throws for keys over a short string
    SCRATCH[end] = length;
    end = writeValue(table[key], end + 1 + length);
    if (end === UNSUPPORTED) return UNSUPPORTED;
  }
  SCRATCH.writeUInt32BE(end - start, offset);
  return end;
}

/**
 * Writes a header (or arguments) table into `buffer` at `offset` (4-byte size, then the entries),
 * the same bytes amqplib writes for `toPyAmqpTable(table)`, and returns the number of bytes
 * written. Returns -1, with the buffer's content past `offset` undefined, for tables left to
 * that slower path: explicitly typed `{'!': …}` values, symbols or functions, sparse arrays,
 * keys over 255 bytes, and tables that do not fit (where amqplib raises its own error).
 */
export function writeFieldTable(table: Record<string, unknown>, buffer: Buffer, offset: number): number {
  SCRATCH = buffer;
  LIMIT = buffer.length;
  try {
    const end = writeEntries(table, offset);
    return end === UNSUPPORTED ? -1 : end - offset;
  } finally {
    SCRATCH = EMPTY;
  }
}

const EMPTY = Buffer.alloc(0);
