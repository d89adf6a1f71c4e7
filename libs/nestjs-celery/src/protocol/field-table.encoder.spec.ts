import { describe, expect, it } from '@jest/globals';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { headersTableBytes, loadVector, vectorNames } from '../../test/vectors/load-vectors.js';
import { decodeFieldTable, toPyAmqpTable } from './field-table.codec.js';
import { writeFieldTable } from './field-table.encoder.js';
import { PyAmqpTable } from './py-amqp-table.js';
import { encodeTaskMessage } from './task-message.encoder.js';

interface AmqplibCodec {
  encodeTable(buffer: Buffer, value: Record<string, unknown>, offset: number): number;
}
const require = createRequire(import.meta.url);
const amqplibCodec = require(join(dirname(require.resolve('amqplib')), 'lib', 'codec.js')) as AmqplibCodec;

/** What the broker published before: amqplib's encoder over the py-amqp typed copy (size prefix included). */
function reference(table: Record<string, unknown>): Buffer {
  const buffer = Buffer.alloc(64 * 1024);
  const size = amqplibCodec.encodeTable(buffer, toPyAmqpTable(table), 0);
  return Buffer.from(buffer.subarray(0, size));
}

function ours(table: Record<string, unknown>): Buffer {
  const buffer = Buffer.alloc(64 * 1024);
  const written = writeFieldTable(table, buffer, 0);
  expect(written).toBeGreaterThanOrEqual(4);
  return Buffer.from(buffer.subarray(0, written));
}

const ORDER = { id: 'ord-1', lines: [{ sku: 'SKU-1', qty: 2, price: 18.5 }], note: null, paid: false };

describe('writeFieldTable', () => {
  describe.each(vectorNames.filter((n) => n.startsWith('task-v2-')))('captured Celery headers %s', (name) => {
    it('writes the bytes amqplib writes for the typed table (so the bytes Celery sent, L -> l aside)', () => {
      const vector = loadVector(name);
      const headers = decodeFieldTable(headersTableBytes(vector));
      const bytes = ours(headers);
      expect(bytes.toString('hex')).toBe(reference(headers).toString('hex'));
      expect(bytes.readUInt32BE(0)).toBe(bytes.length - 4);
      if (!JSON.stringify(vector.header_types_deep).includes('"L"')) {
        expect(bytes.subarray(4).toString('hex')).toBe(Buffer.from(headersTableBytes(vector)).toString('hex'));
      }
    });
  });

  it.each([
    ['a plain task', { id: 'a1b2c3d4-0000-4000-8000-000000000000', task: 'bench.order', args: [ORDER], kwargs: {}, origin: 'gen1@host' }],
    [
      'every header set',
      {
        id: 'id-1',
        task: 'tasks.add',
        args: [1, 2.5, 'x', null, true, [1, [2]]],
        kwargs: { big: 2 ** 40, neg: -(2 ** 40), s: 'é€😀' },
        origin: 'gen1@host',
        eta: new Date('2026-11-22T02:07:51.260Z'),
        expires: '2026-11-23T00:00:00',
        retries: 3,
        rootId: 'root',
        parentId: 'parent',
        group: 'g',
        groupIndex: 4,
        shadow: 'shadow-name',
        timeLimit: [300, 60] as [number, number],
        ignoreResult: true,
        headers: { custom: { nested: [1, { deep: 2n ** 60n }], when: new Date(0) }, 'ключ': 'значение', buf: Buffer.from([0, 1, 255]) },
      },
    ],
  ])('matches amqplib byte for byte on %s', (_label, spec) => {
    const headers = encodeTaskMessage(spec).properties.headers;
    expect(ours(headers).equals(reference(headers))).toBe(true);
  });

  it.each([
    0, 1, -1, 127, 128, -129, 32767, 32768, -32769, 2147483647, 2147483648, -2147483648, -2147483649, 2 ** 40, -(2 ** 40),
    Number.MAX_SAFE_INTEGER, 2 ** 53, 2 ** 64, -0, 1.5, -0.25, Number.NaN, Infinity, -Infinity,
  ])('types the number %p as amqplib does after toPyAmqpTable', (n) => {
    expect(ours({ n, inArray: [n], inTable: { n } }).equals(reference({ n, inArray: [n], inTable: { n } }))).toBe(true);
  });

  it.each([0n, 5n, -5n, 2n ** 31n, 2n ** 60n + 1n, 2n ** 63n - 1n, 2n ** 63n, -(2n ** 40n), 2n ** 64n])('types the bigint %p as amqplib does', (n) => {
    expect(ours({ n }).equals(reference({ n }))).toBe(true);
  });

  it('writes strings, booleans, null, undefined, Buffers, Dates, empty and nested containers the same', () => {
    const table = {
      empty: '',
      ascii: 'x'.repeat(63),
      longer: 'y'.repeat(70),
      unicode: 'naïve ☃ 😀',
      lone: '\ud800',
      t: true,
      f: false,
      n: null,
      u: undefined,
      buf: Buffer.from('ab'),
      emptyBuf: Buffer.alloc(0),
      date: new Date('2026-11-22T02:07:51.260Z'),
      arr: [],
      tbl: {},
      nested: { a: [1, [2, { b: 2 ** 40, c: undefined }]], s: 'x', d: [new Date(1), undefined, null] },
      ['é'.repeat(100)]: 1,
    };
    expect(ours(table).equals(reference(table))).toBe(true);
  });

  it('keeps key order as Object.keys gives it (integer-like keys first)', () => {
    const table = { b: 1, 2: 'two', a: 2, 1: 'one' };
    expect(ours(table).equals(reference(table))).toBe(true);
  });

  it('leaves to amqplib what it cannot write the same way', () => {
    const unsupported = (table: Record<string, unknown>) => writeFieldTable(table, Buffer.alloc(64 * 1024), 0);
    expect(unsupported({ typed: { '!': 'timestamp', value: 5 } })).toBe(-1);
    expect(unsupported({ deep: [{ '!': 'float', value: 1.5 }] })).toBe(-1);
    expect(unsupported({ sym: Symbol('x') })).toBe(-1);
    expect(unsupported({ fn: () => 1 })).toBe(-1);
    // eslint-disable-next-line no-sparse-arrays
    expect(unsupported({ sparse: [1, , 3] })).toBe(-1);
    expect(unsupported({ ['k'.repeat(256)]: 1 })).toBe(-1);
    expect(unsupported({ huge: 'x'.repeat(70 * 1024) })).toBe(-1);
    expect(unsupported({ huge: '€'.repeat(22 * 1024) })).toBe(-1);
  });

  it('writes at an offset and stops at the end of the buffer', () => {
    const table = { lang: 'py', retries: 3, timelimit: [null, null], é: 'ü' };
    const expected = reference(table);
    const buffer = Buffer.alloc(7 + expected.length);
    expect(writeFieldTable(table, buffer, 7)).toBe(expected.length);
    expect(buffer.subarray(7).toString('hex')).toBe(expected.toString('hex'));
    expect(writeFieldTable(table, Buffer.alloc(expected.length - 1), 0)).toBe(-1);
    expect(writeFieldTable(table, Buffer.alloc(expected.length + 3), 4)).toBe(-1);
  });
});

describe('PyAmqpTable.writeTo', () => {
  const amqplibEncode = (buffer: Buffer, table: object, offset: number) =>
    amqplibCodec.encodeTable(buffer, table as Record<string, unknown>, offset);

  it('writes the table itself when it can', () => {
    const table = { task: 'tasks.add', retries: 0 };
    const buffer = Buffer.alloc(256);
    const fallback = () => {
      throw new Error('not expected');
    };
    const written = new PyAmqpTable(table).writeTo(buffer, 3, fallback);
    expect(buffer.subarray(3, 3 + written).toString('hex')).toBe(reference(table).toString('hex'));
  });

  it("falls back to amqplib's encoder over the typed copy, with the same bytes or the same error", () => {
    const table = { when: { '!': 'timestamp', value: 5 }, n: 7 };
    const buffer = Buffer.alloc(256);
    const written = new PyAmqpTable(table).writeTo(buffer, 0, amqplibEncode);
    expect(buffer.subarray(0, written).toString('hex')).toBe(reference(table).toString('hex'));
    expect(() => new PyAmqpTable({ huge: 'x'.repeat(300) }).writeTo(Buffer.alloc(64), 0, amqplibEncode)).toThrow(RangeError);
    expect(() => new PyAmqpTable({ sym: Symbol('x') }).writeTo(buffer, 0, amqplibEncode)).toThrow(TypeError);
  });
});
