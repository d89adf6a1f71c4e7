import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
// the library's loader patches amqplib first, as in production (and it warns if amqplib loaded before it)
import '../../src/broker/amqplib.loader.js';
import type { PublishFields, TableEncoder } from '../../src/broker/publish-frames.js';

const require = createRequire(import.meta.url);
const lib = (file: string) => join(dirname(require.resolve('amqplib')), 'lib', file);
const defs = require(lib('defs.js')) as {
  encodeMethod(id: number, channel: number, fields: object): Buffer;
  encodeProperties(id: number, channel: number, size: number, fields: object): Buffer;
  decode(id: number, payload: Buffer): Record<string, unknown>;
  BasicPublish: number;
  BasicProperties: number;
};

/** amqplib's decoder of a frame payload (method arguments or content-header properties). */
export const amqplibDecode = (id: number, payload: Buffer) => defs.decode(id, payload);
export const BASIC_PROPERTIES = defs.BasicProperties;
const { makeBodyFrame } = require(lib('frame.js')) as { makeBodyFrame(channel: number, body: Buffer): Buffer };

/** amqplib's own field-table encoder (as patched by the library's loader when that loaded first). */
export const amqplibEncodeTable = (require(lib('codec.js')) as { encodeTable: TableEncoder }).encodeTable;

/** amqplib's `Args.publish`: the method fields and properties of `channel.publish(exchange, routingKey, content, options)`. */
export const amqplibPublishArgs = (require(lib('api_args.js')) as { publish(exchange: string, routingKey: string, options: object): PublishFields })
  .publish;

/**
 * What amqplib itself writes for a publish with these fields: method, header and body frames, the
 * body split as its `sendContent` splits it for `frameMax` (the reference for our one-buffer writer).
 */
export function amqplibPublishFrames(channel: number, fields: PublishFields, content: Buffer, frameMax = 131072): Buffer {
  const parts = [defs.encodeMethod(defs.BasicPublish, channel, fields), defs.encodeProperties(defs.BasicProperties, channel, content.length, fields)];
  const maxBody = frameMax - 8;
  for (let from = 0; from < content.length; from += maxBody) parts.push(makeBodyFrame(channel, content.subarray(from, from + maxBody)));
  return Buffer.concat(parts);
}
