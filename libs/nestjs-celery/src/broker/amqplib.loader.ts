import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type * as Amqplib from 'amqplib';
import { PyAmqpTable } from '../protocol/py-amqp-table.js';
import { readFieldTable } from '../protocol/field-table.codec.js';
import { encodePublishFrames, type PublishFields } from './publish-frames.js';

const require = createRequire(import.meta.url);

type EncodeTable = (buffer: Buffer, value: object, offset: number) => number;

interface AmqplibMux {
  Mux: { prototype: { out: { cork(): void; uncork(): void }; _readIncoming(): void } & Record<symbol, boolean> };
}

const CORKED = Symbol.for('nestjs-celery.amqplib-mux-corked');

/**
 * amqplib's multiplexer moves the frames its channels buffered to the socket, one `write` per
 * channel. Corking the socket around that pass sends them in one `writev`: a worker's reply
 * and its acks leave in one system call.
 */
function corkMuxWrites(muxModule: AmqplibMux): void {
  const prototype = muxModule.Mux.prototype;
  if (prototype[CORKED]) return;
  const readIncoming = prototype._readIncoming;
  prototype._readIncoming = function (this: typeof prototype) {
    const out = this.out;
    out.cork();
    try {
      readIncoming.call(this);
    } finally {
      out.uncork();
    }
  };
  prototype[CORKED] = true;
}

type SendMessage = (
  this: AmqplibConnection,
  channel: number,
  method: number,
  fields: PublishFields,
  properties: number,
  props: PublishFields,
  content: Buffer,
) => boolean;

interface AmqplibConnection {
  frameMax: number;
  sentSinceLastCheck: boolean;
  channels: Array<{ buffer: { write(frames: Buffer): boolean } }>;
}

interface AmqplibConnectionModule {
  Connection: { prototype: { sendMessage: SendMessage } & Record<symbol, boolean> };
}

const ONE_BUFFER = Symbol.for('nestjs-celery.amqplib-publish-one-buffer');

/**
 * Makes amqplib write a published message's frames with {@link encodePublishFrames}: one buffer
 * instead of four, the same bytes (and header tables over amqplib's 64 KB). Anything else (other methods, tickets, fields
 * amqplib rejects) goes through amqplib's own `sendMessage`. A closed channel or connection
 * still fails as before: amqplib replaces their `sendMessage` with one that throws.
 */
function writePublishesInOneBuffer(
  connectionModule: AmqplibConnectionModule,
  definitions: { BasicPublish: number; BasicProperties: number },
  encodeTable: EncodeTable,
): void {
  const prototype = connectionModule.Connection.prototype;
  if (prototype[ONE_BUFFER]) return;
  const sendMessage = prototype.sendMessage;
  prototype.sendMessage = function (this: AmqplibConnection, channel, method, fields, properties, props, content) {
    if (method === definitions.BasicPublish && properties === definitions.BasicProperties && fields === props && Buffer.isBuffer(content)) {
      const frames = encodePublishFrames(channel, fields, content, this.frameMax, encodeTable);
      if (frames) {
        const buffer = this.channels[channel]!.buffer;
        this.sentSinceLastCheck = true;
        return buffer.write(frames);
      }
    }
    return sendMessage.call(this, channel, method, fields, properties, props, content);
  };
  prototype[ONE_BUFFER] = true;
}

interface AmqplibCodec {
  decodeFields: unknown;
  encodeTable: EncodeTable;
}

/**
 * Loads amqplib with two codec changes, made before amqplib's frame definitions load (they keep
 * their own reference to the codec functions), so every use of amqplib in this library goes
 * through this module:
 * - the field-table decoder is {@link readFieldTable}, which also reads the `L` tag py-amqp
 *   writes for large integers (amqplib alone closes the connection with `Unexpected type tag "L"`),
 *   and never throws: a table it cannot read (nested too deep, malformed) becomes an
 *   `UndecodableFieldTable` the worker dead-letters, instead of a parser error closing the connection;
 * - the table encoder writes a {@link PyAmqpTable} itself, in one pass straight into the frame
 *   buffer, instead of encoding a typed copy of the headers (`toPyAmqpTable`) value by value;
 * - the frames of all channels that are ready go to the socket in one write ({@link corkMuxWrites});
 * - a published message's frames are written into one buffer ({@link writePublishesInOneBuffer}).
 */
function loadPatchedAmqplib(): { amqplib: typeof Amqplib; encodedTables: boolean } {
  const entry = require.resolve('amqplib');
  const definitionsPath = join(dirname(entry), 'lib', 'defs.js');
  const codec = require(join(dirname(entry), 'lib', 'codec.js')) as AmqplibCodec;
  const alreadyLoaded = require.cache[definitionsPath] !== undefined;
  codec.decodeFields = readFieldTable;
  corkMuxWrites(require(join(dirname(entry), 'lib', 'mux.js')) as AmqplibMux);
  const encodeTable = codec.encodeTable;
  codec.encodeTable = (buffer, value, offset) =>
    value instanceof PyAmqpTable ? value.writeTo(buffer, offset, encodeTable) : encodeTable(buffer, value, offset);
  writePublishesInOneBuffer(
    require(join(dirname(entry), 'lib', 'connection.js')) as AmqplibConnectionModule,
    require(definitionsPath) as { BasicPublish: number; BasicProperties: number },
    codec.encodeTable,
  );
  if (alreadyLoaded) {
    process.emitWarning(
      'amqplib was loaded before nestjs-celery: headers with 64-bit integers from Python (tag "L") ' +
        'will close the connection. Import nestjs-celery before anything that imports amqplib.',
      { code: 'NESTJS_CELERY_AMQPLIB_ORDER' },
    );
  }
  return { amqplib: require('amqplib') as typeof Amqplib, encodedTables: !alreadyLoaded };
}

const loaded = loadPatchedAmqplib();

/** amqplib, with a field-table decoder that reads everything py-amqp writes. */
export const amqplib = loaded.amqplib;

/**
 * True when amqplib writes a {@link PyAmqpTable} given as `headers` (it was loaded through this
 * module first); otherwise headers must be passed as typed plain objects (`toPyAmqpTable`).
 */
export const amqplibTakesEncodedTables = loaded.encodedTables;
