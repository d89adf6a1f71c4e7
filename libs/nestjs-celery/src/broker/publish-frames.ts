/**
 * The frames of one published message (basic.publish, content header, body frames), written into
 * a single buffer, byte for byte as amqplib 2.3.1 writes them. amqplib encodes the method and the
 * properties into two zero-filled buffers, the body into a third and copies all three into a
 * fourth; this writes them once into a scratch buffer and copies them out with the body into one
 * exact-size buffer. Unlike amqplib (whose table buffer is 64 KB), it writes header tables of any
 * size the connection's frame size allows: a dead-lettered copy carries the headers it arrived with.
 */
import { HeaderFrameTooLargeError } from './broker.errors.js';


/** amqplib's table encoder: `(buffer, table, offset) => bytes written`. */
export type TableEncoder = (buffer: Buffer, table: object, offset: number) => number;

/** The fields amqplib's `Args.publish` builds: method fields and message properties in one object. */
export interface PublishFields {
  exchange?: unknown;
  routingKey?: unknown;
  mandatory?: unknown;
  immediate?: unknown;
  ticket?: unknown;
  contentType?: unknown;
  contentEncoding?: unknown;
  headers?: unknown;
  deliveryMode?: unknown;
  priority?: unknown;
  correlationId?: unknown;
  replyTo?: unknown;
  expiration?: unknown;
  messageId?: unknown;
  timestamp?: unknown;
  type?: unknown;
  userId?: unknown;
  appId?: unknown;
  clusterId?: unknown;
}

const FRAME_METHOD = 1;
const FRAME_HEADER = 2;
const FRAME_BODY = 3;
const FRAME_END = 206;
/** Class 60 (basic), method 40 (publish). */
const BASIC_PUBLISH = 3932200;
/** Class 60 (basic), weight 0. */
const BASIC_HEADER = 3932160;
const FRAME_HEADER_BYTES = 7;
const BODY_FRAME_OVERHEAD = 8;
/** Room for the frames' fields besides the header table (at most ~3 KB of short strings), with a margin. */
const FIELDS_ROOM = 8192;
/** The scratch buffer, grown (up to the frame size plus {@link FIELDS_ROOM}) when a header table needs it. */
let SCRATCH = Buffer.allocUnsafe(65536 + FIELDS_ROOM);
/** amqplib's error for a table larger than the buffer it encodes into. */
const TABLE_OVERFLOW = /exceeds the \d+ byte encoding buffer/;
/** Returned by the writers when the fast path does not apply. */
const FALLBACK = -1;

/** Writes an AMQP short string (length octet, UTF-8) at `offset`; FALLBACK unless a string under 256 bytes. */
function writeShortString(value: unknown, offset: number): number {
  if (typeof value !== 'string' || value.length > 255) return FALLBACK;
  const length = SCRATCH.write(value, offset + 1, 'utf8');
  if (length > 255) return FALLBACK;
  SCRATCH[offset] = length;
  return offset + 1 + length;
}

function isOctet(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 255;
}

/** The basic.publish method frame at 0; returns its end. */
function writeMethodFrame(channel: number, fields: PublishFields): number {
  if (fields.ticket !== undefined && fields.ticket !== 0) return FALLBACK;
  SCRATCH[0] = FRAME_METHOD;
  SCRATCH.writeUInt16BE(channel, 1);
  SCRATCH.writeUInt32BE(BASIC_PUBLISH, 7);
  SCRATCH.writeUInt16BE(0, 11);
  let offset = writeShortString(fields.exchange === undefined ? '' : fields.exchange, 13);
  if (offset === FALLBACK) return FALLBACK;
  offset = writeShortString(fields.routingKey === undefined ? '' : fields.routingKey, offset);
  if (offset === FALLBACK) return FALLBACK;
  SCRATCH[offset] = (fields.mandatory ? 1 : 0) + (fields.immediate ? 2 : 0);
  SCRATCH[offset + 1] = FRAME_END;
  SCRATCH.writeUInt32BE(offset + 1 - FRAME_HEADER_BYTES, 3);
  return offset + 2;
}

/** A short-string property (flag `flag`), when set. */
function writeStringProperty(value: unknown, flag: number, state: { offset: number; flags: number }): boolean {
  if (value === undefined || value === null) return true;
  const end = writeShortString(value, state.offset);
  if (end === FALLBACK) return false;
  state.offset = end;
  state.flags += flag;
  return true;
}

/** An octet property (flag `flag`), when set. */
function writeOctetProperty(value: unknown, flag: number, state: { offset: number; flags: number }): boolean {
  if (value === undefined || value === null) return true;
  if (!isOctet(value)) return false;
  SCRATCH[state.offset++] = value;
  state.flags += flag;
  return true;
}

/** The timestamp property (flag 64), when set: a 64-bit unsigned integer, as amqplib writes a number. */
function writeTimestampProperty(value: unknown, state: { offset: number; flags: number }): boolean {
  if (value === undefined || value === null) return true;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) return false;
  SCRATCH.writeBigUInt64BE(BigInt(value), state.offset);
  state.offset += 8;
  state.flags += 64;
  return true;
}

/** The content header frame at `start`, for a body of `size` bytes; returns its end. */
function writeHeaderFrame(channel: number, fields: PublishFields, size: number, start: number, encodeTable: TableEncoder): number {
  SCRATCH[start] = FRAME_HEADER;
  SCRATCH.writeUInt16BE(channel, start + 1);
  SCRATCH.writeUInt32BE(BASIC_HEADER, start + 7);
  SCRATCH.writeBigUInt64BE(BigInt(size), start + 11);
  const state = { offset: start + 21, flags: 0 };
  if (!writeStringProperty(fields.contentType, 32768, state)) return FALLBACK;
  if (!writeStringProperty(fields.contentEncoding, 16384, state)) return FALLBACK;
  const headers = fields.headers;
  if (headers !== undefined && headers !== null) {
    if (typeof headers !== 'object') return FALLBACK;
    state.offset += encodeTable(SCRATCH, headers, state.offset);
    state.flags += 8192;
  }
  const written =
    writeOctetProperty(fields.deliveryMode, 4096, state) &&
    writeOctetProperty(fields.priority, 2048, state) &&
    writeStringProperty(fields.correlationId, 1024, state) &&
    writeStringProperty(fields.replyTo, 512, state) &&
    writeStringProperty(fields.expiration, 256, state) &&
    writeStringProperty(fields.messageId, 128, state) &&
    writeTimestampProperty(fields.timestamp, state) &&
    writeStringProperty(fields.type, 32, state) &&
    writeStringProperty(fields.userId, 16, state) &&
    writeStringProperty(fields.appId, 8, state) &&
    writeStringProperty(fields.clusterId, 4, state);
  if (!written) return FALLBACK;
  SCRATCH[state.offset] = FRAME_END;
  SCRATCH.writeUInt32BE(state.offset - start - FRAME_HEADER_BYTES, start + 3);
  SCRATCH.writeUInt16BE(state.flags, start + 19);
  return state.offset + 1;
}

function tooLarge(size: string, frameMax: number): HeaderFrameTooLargeError {
  return new HeaderFrameTooLargeError(
    `the message properties take ${size}, more than fits in one frame of the connection's frame size (${frameMax} bytes); ` +
      'send smaller headers, or raise frame_max on the broker and in the connection URL (?frameMax=)',
  );
}

/** Writes the method and header frames into {@link SCRATCH}; returns where they end, or FALLBACK. */
function writeMethodAndHeader(channel: number, fields: PublishFields, size: number, encodeTable: TableEncoder): number {
  const methodEnd = writeMethodFrame(channel, fields);
  if (methodEnd === FALLBACK) return FALLBACK;
  return writeHeaderFrame(channel, fields, size, methodEnd, encodeTable);
}

/**
 * The frames amqplib sends for `channel.publish(...)` with these fields (what `Args.publish`
 * made of the options), in one buffer: the same bytes amqplib writes, the body split into frames
 * of `frameMax` as amqplib splits it. Returns undefined where amqplib must write them itself: a
 * ticket, or a field amqplib rejects (it then throws its own error). A header table amqplib's
 * encoder rejects throws here, as it does in amqplib.
 *
 * @param encodeTable amqplib's table encoder (as patched by the loader, which writes a `PyAmqpTable`)
 * @throws HeaderFrameTooLargeError when the properties do not fit in one frame of `frameMax`
 *   (sent anyway, the broker would close the connection)
 */
export function encodePublishFrames(
  channel: number,
  fields: PublishFields,
  content: Buffer,
  frameMax: number,
  encodeTable: TableEncoder,
): Buffer | undefined {
  const maxBody = frameMax - BODY_FRAME_OVERHEAD;
  if (!(maxBody > 0)) return undefined;
  let headerEnd: number;
  for (;;) {
    try {
      headerEnd = writeMethodAndHeader(channel, fields, content.length, encodeTable);
      break;
    } catch (error) {
      // The table did not fit the scratch buffer (amqplib's encoder says so with this RangeError):
      // grow it, up to what one frame can hold. Other errors (a stack overflow too) are the caller's.
      if (!(error instanceof RangeError) || !TABLE_OVERFLOW.test(error.message)) throw error;
      const room = frameMax + FIELDS_ROOM;
      if (SCRATCH.length >= room) throw tooLarge(`more than ${room} bytes`, frameMax);
      SCRATCH = Buffer.allocUnsafe(Math.min(room, SCRATCH.length * 2));
    }
  }
  if (headerEnd === FALLBACK) return undefined;
  const methodEnd = SCRATCH.readUInt32BE(3) + FRAME_HEADER_BYTES + 1;
  const headerFrame = headerEnd - methodEnd;
  if (headerFrame > frameMax) throw tooLarge(`${headerFrame} bytes`, frameMax);
  const frameCount = Math.ceil(content.length / maxBody);
  const frames = Buffer.allocUnsafe(headerEnd + content.length + frameCount * BODY_FRAME_OVERHEAD);
  SCRATCH.copy(frames, 0, 0, headerEnd);
  let at = headerEnd;
  for (let from = 0; from < content.length; from += maxBody) {
    const length = Math.min(maxBody, content.length - from);
    frames[at] = FRAME_BODY;
    frames.writeUInt16BE(channel, at + 1);
    frames.writeUInt32BE(length, at + 3);
    content.copy(frames, at + FRAME_HEADER_BYTES, from, from + length);
    frames[at + FRAME_HEADER_BYTES + length] = FRAME_END;
    at += length + BODY_FRAME_OVERHEAD;
  }
  return frames;
}
