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
  BasicPublish: number;
  BasicProperties: number;
};
const { makeBodyFrame } = require(lib('frame.js')) as { makeBodyFrame(channel: number, body: Buffer): Buffer };

/** amqplib's own field-table encoder (as patched by the library's loader when that loaded first). */
export const amqplibEncodeTable = (require(lib('codec.js')) as { encodeTable: TableEncoder }).encodeTable;

/** amqplib's `Args.publish`: the method fields and properties of `channel.publish(exchange, routingKey, content, options)`. */
export const amqplibPublishArgs = (require(lib('api_args.js')) as { publish(exchange: string, routingKey: string, options: object): PublishFields })
  .publish;

/** What amqplib itself writes for a publish with these fields: method, header and body frames (the reference for our one-buffer writer). */
export function amqplibPublishFrames(channel: number, fields: PublishFields, content: Buffer): Buffer {
  const parts = [defs.encodeMethod(defs.BasicPublish, channel, fields), defs.encodeProperties(defs.BasicProperties, channel, content.length, fields)];
  if (content.length > 0) parts.push(makeBodyFrame(channel, content));
  return Buffer.concat(parts);
}
