import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type * as Amqplib from 'amqplib';
import { decodeFieldTable } from '../protocol/field-table.codec.js';

const require = createRequire(import.meta.url);

/**
 * Loads amqplib with its field-table decoder replaced by {@link decodeFieldTable}, which also
 * reads the `L` tag py-amqp writes for large integers (amqplib alone closes the connection with
 * `Unexpected type tag "L"`). The replacement has to happen before amqplib's frame definitions
 * load, so every use of amqplib in this library goes through this module.
 */
function loadPatchedAmqplib(): typeof Amqplib {
  const entry = require.resolve('amqplib');
  const definitionsPath = join(dirname(entry), 'lib', 'defs.js');
  const codec = require(join(dirname(entry), 'lib', 'codec.js')) as { decodeFields: unknown };
  const alreadyLoaded = require.cache[definitionsPath] !== undefined;
  codec.decodeFields = decodeFieldTable;
  if (alreadyLoaded) {
    process.emitWarning(
      'amqplib was loaded before nestjs-celery: headers with 64-bit integers from Python (tag "L") ' +
        'will close the connection. Import nestjs-celery before anything that imports amqplib.',
      { code: 'NESTJS_CELERY_AMQPLIB_ORDER' },
    );
  }
  return require('amqplib') as typeof Amqplib;
}

/** amqplib, with a field-table decoder that reads everything py-amqp writes. */
export const amqplib = loadPatchedAmqplib();
