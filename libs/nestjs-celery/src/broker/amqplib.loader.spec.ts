import { describe, expect, it } from '@jest/globals';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { toPyAmqpTable } from '../protocol/field-table.codec.js';
import { PyAmqpTable } from '../protocol/py-amqp-table.js';
import { encodeTaskMessage } from '../protocol/task-message.encoder.js';
import { amqplib, amqplibTakesEncodedTables } from './amqplib.loader.js';

interface AmqplibDefs {
  encodeProperties(id: number, channel: number, size: number, fields: Record<string, unknown>): Buffer;
  BasicProperties: number;
}
const require = createRequire(import.meta.url);
const lib = (file: string) => join(dirname(require.resolve('amqplib')), 'lib', file);

describe('amqplib loader', () => {
  it('loads amqplib', () => {
    expect(typeof amqplib.connect).toBe('function');
  });

  it('makes amqplib write a PyAmqpTable as the exact table frame it writes for the typed headers', () => {
    // Jest shares Node's module cache between spec files: when another spec loaded amqplib
    // first, this copy of the loader reports so, and the broker passes plain typed headers.
    if (!amqplibTakesEncodedTables) return;
    const defs = require(lib('defs.js')) as AmqplibDefs;
    const { properties } = encodeTaskMessage({ id: 'id-1', task: 'tasks.add', args: [1, 2], origin: 'gen1@host', timeLimit: [300, 60] });
    const common = { contentType: 'application/json', contentEncoding: 'utf-8', deliveryMode: 2, correlationId: 'id-1' };
    const plain = defs.encodeProperties(defs.BasicProperties, 1, 120, { ...common, headers: toPyAmqpTable(properties.headers) });
    const pre = defs.encodeProperties(defs.BasicProperties, 1, 120, { ...common, headers: new PyAmqpTable(properties.headers) });
    expect(pre.toString('hex')).toBe(plain.toString('hex'));
  });

  it('corks the socket while amqplib moves channel frames to it, so they leave in one write', () => {
    const { Mux } = require(lib('mux.js')) as { Mux: new (out: unknown) => { _readIncoming(): void; newStreams: unknown[] } };
    const calls: string[] = [];
    const out = {
      on: () => undefined,
      cork: () => calls.push('cork'),
      uncork: () => calls.push('uncork'),
      write: (chunk: string) => {
        calls.push(chunk);
        return true;
      },
    };
    const mux = new Mux(out);
    const stream = (chunks: string[]) => ({ read: () => chunks.shift() ?? null });
    mux.newStreams.push(stream(['reply']), stream(['ack']));
    mux._readIncoming();
    expect(calls).toEqual(['cork', 'reply', 'ack', 'uncork']);
  });
});
