/**
 * The one place this library reaches into amqplib, for a limitation its public API cannot work around.
 *
 * py-amqp (Python Celery's client) writes integers beyond ±2^31 in header tables with the type tag
 * `L`. amqplib 2.3.1's field-table decoder has no `L` case: `lib/codec.js` `decodeFields` ends its
 * switch with `throw new TypeError('Unexpected type tag "L"')` inside the frame parser, which closes
 * the whole connection, and the message comes back after every reconnect. Adding the tag upstream
 * was proposed and closed unmerged (https://github.com/amqp-node/amqplib/pull/646). amqplib has no
 * hook for decoding, and its modules keep private references to the codec, so replacing an export
 * does nothing once amqplib has loaded (another library may load it first).
 *
 * So, on this library's own connections only (never process-wide), content-header frames are
 * decoded here: the basic properties as amqplib decodes them, the header table with
 * {@link readFieldTable}, which reads every tag py-amqp and RabbitMQ write and never throws (a table
 * it cannot read becomes an `UndecodableFieldTable` that the worker dead-letters). Every other
 * frame goes through amqplib's own `recvFrame`. The per-connection hook is the connection's
 * `recvFrame` (amqplib calls it as `this.recvFrame()`), which works whatever the load order.
 */
import type { ChannelModel } from 'amqplib';
import { readFieldTable } from './field-table.decoder.js';

/** The fields of amqplib 2.3.1's `Connection` this module relies on. */
interface AmqplibConnection {
  rest: Buffer;
  maxFrameSize: number;
  recvFrame(): unknown;
}

const FRAME_HEADER = 2;
const FRAME_END = 206;
const FRAME_HEADER_BYTES = 7;
const BASIC_CLASS = 60;
const HOOKED = Symbol('nestjs-celery.py-amqp-long-tag');

/**
 * Makes the connection of `model` decode content-header frames (message properties) with
 * {@link readFieldTable}, so `L` header values from Python arrive as numbers (bigint beyond 2^53).
 * Call it right after connecting, before opening channels. Idempotent; other connections are untouched.
 */
export function readPyAmqpLongTags(model: ChannelModel): void {
  const connection = (model as unknown as { connection: AmqplibConnection & { [HOOKED]?: true } }).connection;
  if (connection[HOOKED]) return;
  const recvFrame = connection.recvFrame;
  connection.recvFrame = function (this: AmqplibConnection) {
    return takeHeaderFrame(this) ?? recvFrame.call(this);
  };
  connection[HOOKED] = true;
}

/** A complete basic content-header frame at the front of `connection.rest`, decoded and consumed; else undefined. */
function takeHeaderFrame(connection: AmqplibConnection): object | undefined {
  const rest = connection.rest;
  if (rest.length < FRAME_HEADER_BYTES || rest[0] !== FRAME_HEADER) return undefined;
  const size = rest.readUInt32BE(3);
  const end = FRAME_HEADER_BYTES + size + 1;
  // Oversized, incomplete, malformed or not class basic: amqplib reports (or waits) as always.
  if (connection.maxFrameSize > 0 && size > connection.maxFrameSize) return undefined;
  if (rest.length < end || rest[end - 1] !== FRAME_END || size < 14) return undefined;
  const payload = rest.subarray(FRAME_HEADER_BYTES, end - 1);
  const id = payload.readUInt16BE(0);
  if (id !== BASIC_CLASS) return undefined;
  const fields = decodeBasicProperties(payload.subarray(12));
  connection.rest = rest.subarray(end);
  return { id, channel: rest.readUInt16BE(1), size: Number(payload.readBigInt64BE(4)), fields };
}

function shortString(buffer: Buffer, at: { offset: number }): string {
  const length = buffer[at.offset]!;
  const text = buffer.toString('utf8', at.offset + 1, at.offset + 1 + length);
  at.offset += 1 + length;
  return text;
}

/** amqplib's `decodeBasicProperties` (same fields, same order, same shapes), with the header table read by {@link readFieldTable}. */
function decodeBasicProperties(buffer: Buffer): Record<string, unknown> {
  const flags = buffer.readUInt16BE(0);
  if (flags === 0) return {};
  const at = { offset: 2 };
  const fields: Record<string, unknown> = {
    contentType: undefined,
    contentEncoding: undefined,
    headers: undefined,
    deliveryMode: undefined,
    priority: undefined,
    correlationId: undefined,
    replyTo: undefined,
    expiration: undefined,
    messageId: undefined,
    timestamp: undefined,
    type: undefined,
    userId: undefined,
    appId: undefined,
    clusterId: undefined,
  };
  if (flags & 0x8000) fields.contentType = shortString(buffer, at);
  if (flags & 0x4000) fields.contentEncoding = shortString(buffer, at);
  if (flags & 0x2000) {
    const length = buffer.readUInt32BE(at.offset);
    const start = at.offset + 4;
    fields.headers = readFieldTable(buffer.subarray(start, start + length));
    at.offset = start + length;
  }
  if (flags & 0x1000) fields.deliveryMode = buffer[at.offset++];
  if (flags & 0x0800) fields.priority = buffer[at.offset++];
  if (flags & 0x0400) fields.correlationId = shortString(buffer, at);
  if (flags & 0x0200) fields.replyTo = shortString(buffer, at);
  if (flags & 0x0100) fields.expiration = shortString(buffer, at);
  if (flags & 0x0080) fields.messageId = shortString(buffer, at);
  if (flags & 0x0040) {
    fields.timestamp = Number(buffer.readBigUInt64BE(at.offset));
    at.offset += 8;
  }
  if (flags & 0x0020) fields.type = shortString(buffer, at);
  if (flags & 0x0010) fields.userId = shortString(buffer, at);
  if (flags & 0x0008) fields.appId = shortString(buffer, at);
  if (flags & 0x0004) fields.clusterId = shortString(buffer, at);
  return fields;
}
