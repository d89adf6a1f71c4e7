import { describe, expect, it } from '@jest/globals';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { headersTableBytes, loadVector, vectorNames } from '../../test/vectors/load-vectors.js';
import { toPyAmqpTable } from './py-amqp-table.js';
import { decodeFieldTable, MAX_FIELD_TABLE_DEPTH, readFieldTable } from './field-table.decoder.js';
import { InvalidFieldTableError } from './broker.errors.js';
import { UndecodableFieldTable } from './undecodable-field-table.js';

/** amqplib's own field-table codec, the encoder the broker publishes with. */
interface AmqplibCodec {
  encodeTable(buffer: Buffer, value: Record<string, unknown>, offset: number): number;
  decodeFields(slice: Buffer): Record<string, unknown>;
}
const require = createRequire(import.meta.url);
const amqplibCodec = require(join(dirname(require.resolve('amqplib')), 'lib', 'codec.js')) as AmqplibCodec;

/** Encodes with amqplib and returns the table body (without the 4-byte length). */
function amqplibEncode(table: Record<string, unknown>): Buffer {
  const buffer = Buffer.alloc(64 * 1024);
  const size = amqplibCodec.encodeTable(buffer, table, 0);
  expect(buffer.readUInt32BE(0)).toBe(size - 4);
  return Buffer.from(buffer.subarray(4, size));
}

type TagTree = string | ['A', TagTree[]] | ['F', Record<string, TagTree>];

const FIXED_SIZE: Record<string, number> = { t: 1, b: 1, B: 1, s: 2, u: 2, I: 4, i: 4, f: 4, l: 8, L: 8, d: 8, T: 8, D: 5, V: 0 };

/**
 * Walks a field table's bytes and returns the type tag of every value, in the shape of the
 * vectors' `header_types_deep` (arrays as ['A', [...]], nested tables as ['F', {...}]).
 */
function tagsOf(slice: Buffer, onTag?: (tagOffset: number, tag: string) => void, base = 0): Record<string, TagTree> {
  const out: Record<string, TagTree> = {};
  let offset = 0;
  const value = (): TagTree => {
    onTag?.(base + offset, String.fromCharCode(slice[offset]!));
    const tag = String.fromCharCode(slice[offset++]!);
    if (tag === 'S' || tag === 'x') {
      offset += 4 + slice.readUInt32BE(offset);
      return tag;
    }
    if (tag === 'A') {
      const until = offset + 4 + slice.readUInt32BE(offset);
      offset += 4;
      const items: TagTree[] = [];
      while (offset < until) items.push(value());
      return ['A', items];
    }
    if (tag === 'F') {
      const len = slice.readUInt32BE(offset);
      const nested = tagsOf(slice.subarray(offset + 4, offset + 4 + len), onTag, base + offset + 4);
      offset += 4 + len;
      return ['F', nested];
    }
    const size = FIXED_SIZE[tag];
    if (size === undefined) throw new Error(`unknown tag ${tag}`);
    offset += size;
    return tag;
  };
  while (offset < slice.length) {
    const keyLength = slice[offset]!;
    const key = slice.toString('utf8', offset + 1, offset + 1 + keyLength);
    offset += 1 + keyLength;
    out[key] = value();
  }
  return out;
}

/** Every tag that occurs anywhere in a tag tree. */
function allTags(tree: TagTree | Record<string, TagTree>): string[] {
  if (typeof tree === 'string') return [tree];
  if (Array.isArray(tree)) {
    const [tag, inner] = tree;
    return [tag, ...(Array.isArray(inner) ? inner.flatMap(allTags) : allTags(inner))];
  }
  return Object.values(tree).flatMap(allTags);
}

// ---- hand-built field tables ------------------------------------------------------------

function u8(n: number): Buffer {
  return Buffer.from([n]);
}
function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}
function sized(payload: Buffer): Buffer {
  return Buffer.concat([u32(payload.length), payload]);
}
/** One tagged value: the tag letter followed by its payload. */
function fv(tag: string, payload: Buffer = Buffer.alloc(0)): Buffer {
  return Buffer.concat([Buffer.from(tag, 'latin1'), payload]);
}
/** A table body from key/value pairs (values already tagged). */
function table(...entries: [string, Buffer][]): Buffer {
  return Buffer.concat(
    entries.flatMap(([key, value]) => {
      const k = Buffer.from(key, 'utf8');
      return [u8(k.length), k, value];
    }),
  );
}
function num(write: (b: Buffer) => void, size: number): Buffer {
  const b = Buffer.alloc(size);
  write(b);
  return b;
}

describe('decodeFieldTable on the captured vectors', () => {
  it('has task and result vectors to check', () => {
    expect(vectorNames.length).toBeGreaterThanOrEqual(17);
  });

  describe.each(vectorNames)('%s', (name) => {
    const vector = loadVector(name);
    const bytes = headersTableBytes(vector);

    it("decodes the raw application_headers to exactly the vector's headers", () => {
      expect(decodeFieldTable(bytes)).toEqual(vector.headers);
    });

    it('keeps the header order', () => {
      expect(Object.keys(decodeFieldTable(bytes))).toEqual(Object.keys(vector.headers));
    });

    it("walks to the vector's header_types_deep (sanity check of the test's tag walker)", () => {
      expect(tagsOf(bytes)).toEqual(vector.header_types_deep);
    });
  });

  it('task-v2-int-headers: py-amqp writes 2**40 as L (signed int64), which amqplib itself cannot decode', () => {
    const vector = loadVector('task-v2-int-headers');
    const bytes = headersTableBytes(vector);
    expect(vector.header_types).toMatchObject({ big: 'L', neg: 'I', small: 'I' });
    const decoded = decodeFieldTable(bytes);
    expect(decoded.big).toBe(1099511627776);
    expect(typeof decoded.big).toBe('number');
    expect(decoded.neg).toBe(-5);
    expect(decoded.small).toBe(7);
    expect(() => amqplibCodec.decodeFields(bytes)).toThrow(/Unexpected type tag "L"/);
  });

  it('task-v2-all-options: timelimit [30, 20] arrives as A[I, I]', () => {
    const vector = loadVector('task-v2-all-options');
    const decoded = decodeFieldTable(headersTableBytes(vector));
    expect(decoded.timelimit).toEqual([30, 20]);
    expect(vector.header_types_deep.timelimit).toEqual(['A', ['I', 'I']]);
  });
});

describe('decodeFieldTable on hand-built tables (every tag)', () => {
  it('decodes an empty table', () => {
    expect(decodeFieldTable(Buffer.alloc(0))).toEqual({});
  });

  it('S: long string, UTF-8, including empty and multi-byte', () => {
    const s = Buffer.from('h\u00e9llo \u65e5\u672c \u{1F389}', 'utf8');
    expect(decodeFieldTable(table(['a', fv('S', sized(s))], ['e', fv('S', sized(Buffer.alloc(0)))]))).toEqual({
      a: 'h\u00e9llo \u65e5\u672c \u{1F389}',
      e: '',
    });
  });

  it('keys are UTF-8 short strings', () => {
    expect(decodeFieldTable(table(['\u00fcn\u00ef', fv('V')]))).toEqual({ '\u00fcn\u00ef': null });
  });

  it('t: boolean, any non-zero byte is true', () => {
    expect(decodeFieldTable(table(['f', fv('t', u8(0))], ['t', fv('t', u8(1))], ['x', fv('t', u8(7))]))).toEqual({
      f: false,
      t: true,
      x: true,
    });
  });

  it('V: void is null', () => {
    expect(decodeFieldTable(table(['v', fv('V')], ['after', fv('t', u8(1))]))).toEqual({ v: null, after: true });
  });

  it('b: signed int8', () => {
    expect(decodeFieldTable(table(['n', fv('b', num((b) => b.writeInt8(-128), 1))], ['p', fv('b', u8(127))]))).toEqual({
      n: -128,
      p: 127,
    });
  });

  it('B: unsigned int8', () => {
    expect(decodeFieldTable(table(['x', fv('B', u8(255))]))).toEqual({ x: 255 });
  });

  it('s: signed int16 (what amqplib writes; py-amqp 5.1 wrongly reads it as a short string)', () => {
    expect(
      decodeFieldTable(
        table(['n', fv('s', num((b) => b.writeInt16BE(-2), 2))], ['p', fv('s', num((b) => b.writeInt16BE(300), 2))]),
      ),
    ).toEqual({ n: -2, p: 300 });
  });

  it('u: unsigned int16', () => {
    expect(decodeFieldTable(table(['x', fv('u', num((b) => b.writeUInt16BE(65535), 2))]))).toEqual({ x: 65535 });
  });

  it('I: signed int32', () => {
    expect(
      decodeFieldTable(
        table(
          ['min', fv('I', num((b) => b.writeInt32BE(-2147483648), 4))],
          ['max', fv('I', num((b) => b.writeInt32BE(2147483647), 4))],
        ),
      ),
    ).toEqual({ min: -2147483648, max: 2147483647 });
  });

  it('i: unsigned int32', () => {
    expect(decodeFieldTable(table(['x', fv('i', num((b) => b.writeUInt32BE(4294967295), 4))]))).toEqual({ x: 4294967295 });
  });

  it('l: signed int64 (negative, safe, and beyond 2^53 as bigint)', () => {
    expect(
      decodeFieldTable(
        table(
          ['neg', fv('l', num((b) => b.writeBigInt64BE(-1n), 8))],
          ['big', fv('l', num((b) => b.writeBigInt64BE(2n ** 40n), 8))],
          ['huge', fv('l', num((b) => b.writeBigInt64BE(2n ** 62n + 1n), 8))],
        ),
      ),
    ).toEqual({ neg: -1, big: 2 ** 40, huge: 2n ** 62n + 1n });
  });

  it('L: signed int64 as py-amqp writes ints beyond +-2^31', () => {
    expect(
      decodeFieldTable(
        table(
          ['big', fv('L', num((b) => b.writeBigInt64BE(2n ** 40n), 8))],
          ['neg', fv('L', num((b) => b.writeBigInt64BE(-(2n ** 33n)), 8))],
          ['max', fv('L', num((b) => b.writeBigInt64BE(2n ** 63n - 1n), 8))],
        ),
      ),
    ).toEqual({ big: 1099511627776, neg: -(2 ** 33), max: 2n ** 63n - 1n });
  });

  it('d: double', () => {
    expect(decodeFieldTable(table(['x', fv('d', num((b) => b.writeDoubleBE(-1.25e300), 8))]))).toEqual({ x: -1.25e300 });
  });

  it('f: float32', () => {
    expect(decodeFieldTable(table(['x', fv('f', num((b) => b.writeFloatBE(1.5), 4))]))).toEqual({ x: 1.5 });
  });

  it("D: decimal keeps amqplib's {'!': 'decimal'} shape", () => {
    expect(decodeFieldTable(table(['x', fv('D', Buffer.concat([u8(2), u32(110)]))], ['y', fv('V')]))).toEqual({
      x: { '!': 'decimal', value: { places: 2, digits: 110 } },
      y: null,
    });
  });

  it("T: timestamp keeps amqplib's {'!': 'timestamp'} shape (seconds)", () => {
    expect(decodeFieldTable(table(['x', fv('T', num((b) => b.writeBigUInt64BE(1700000000n), 8))]))).toEqual({
      x: { '!': 'timestamp', value: 1700000000 },
    });
  });

  it('x: byte array as a Buffer', () => {
    const decoded = decodeFieldTable(table(['x', fv('x', sized(Buffer.from([0, 1, 255])))], ['after', fv('t', u8(0))]));
    expect(Buffer.isBuffer(decoded.x)).toBe(true);
    expect([...(decoded.x as Buffer)]).toEqual([0, 1, 255]);
    expect(decoded.after).toBe(false);
  });

  it('A: arrays of mixed values, nested arrays and empty arrays', () => {
    const inner = Buffer.concat([fv('I', num((b) => b.writeInt32BE(1), 4)), fv('V')]);
    const arr = Buffer.concat([
      fv('S', sized(Buffer.from('a'))),
      fv('A', sized(inner)),
      fv('A', sized(Buffer.alloc(0))),
      fv('t', u8(1)),
    ]);
    expect(decodeFieldTable(table(['arr', fv('A', sized(arr))], ['next', fv('V')]))).toEqual({
      arr: ['a', [1, null], [], true],
      next: null,
    });
  });

  it('F: nested tables, also inside arrays', () => {
    const innerTable = table(['k', fv('S', sized(Buffer.from('v')))], ['n', fv('I', num((b) => b.writeInt32BE(-3), 4))]);
    const arr = Buffer.concat([fv('F', sized(innerTable)), fv('F', sized(Buffer.alloc(0)))]);
    expect(
      decodeFieldTable(table(['t', fv('F', sized(innerTable))], ['a', fv('A', sized(arr))], ['z', fv('t', u8(1))])),
    ).toEqual({ t: { k: 'v', n: -3 }, a: [{ k: 'v', n: -3 }, {}], z: true });
  });

  it('every tag in one table', () => {
    const all = table(
      ['b', fv('b', u8(0xff))],
      ['B', fv('B', u8(0xff))],
      ['s', fv('s', num((b) => b.writeInt16BE(-300), 2))],
      ['u', fv('u', num((b) => b.writeUInt16BE(300), 2))],
      ['I', fv('I', num((b) => b.writeInt32BE(-70000), 4))],
      ['i', fv('i', num((b) => b.writeUInt32BE(70000), 4))],
      ['l', fv('l', num((b) => b.writeBigInt64BE(-5n), 8))],
      ['L', fv('L', num((b) => b.writeBigInt64BE(5n), 8))],
      ['d', fv('d', num((b) => b.writeDoubleBE(0.5), 8))],
      ['f', fv('f', num((b) => b.writeFloatBE(0.25), 4))],
      ['D', fv('D', Buffer.concat([u8(1), u32(15)]))],
      ['T', fv('T', num((b) => b.writeBigUInt64BE(1n), 8))],
      ['F', fv('F', sized(table(['k', fv('V')])))],
      ['A', fv('A', sized(fv('V')))],
      ['V', fv('V')],
      ['x', fv('x', sized(Buffer.from('hi')))],
      ['t', fv('t', u8(1))],
      ['S', fv('S', sized(Buffer.from('end')))],
    );
    const decoded = decodeFieldTable(all);
    expect(Object.keys(decoded)).toEqual(['b', 'B', 's', 'u', 'I', 'i', 'l', 'L', 'd', 'f', 'D', 'T', 'F', 'A', 'V', 'x', 't', 'S']);
    expect({ ...decoded, x: (decoded.x as Buffer).toString() }).toEqual({
      b: -1,
      B: 255,
      s: -300,
      u: 300,
      I: -70000,
      i: 70000,
      l: -5,
      L: 5,
      d: 0.5,
      f: 0.25,
      D: { '!': 'decimal', value: { places: 1, digits: 15 } },
      T: { '!': 'timestamp', value: 1 },
      F: { k: null },
      A: [null],
      V: null,
      x: 'hi',
      t: true,
      S: 'end',
    });
  });

  it('throws on an unknown tag', () => {
    expect(() => decodeFieldTable(table(['x', fv('Z')]))).toThrow(/Unexpected field table type tag "Z"/);
  });

  it('agrees with amqplib on every tag amqplib can read', () => {
    const shared = table(
      ['b', fv('b', u8(0x80))],
      ['s', fv('s', num((b) => b.writeInt16BE(-1), 2))],
      ['I', fv('I', num((b) => b.writeInt32BE(123456), 4))],
      ['l', fv('l', num((b) => b.writeBigInt64BE(2n ** 40n), 8))],
      ['d', fv('d', num((b) => b.writeDoubleBE(1.5), 8))],
      ['D', fv('D', Buffer.concat([u8(3), u32(1234)]))],
      ['T', fv('T', num((b) => b.writeBigUInt64BE(99n), 8))],
      ['A', fv('A', sized(Buffer.concat([fv('V'), fv('t', u8(0))])))],
      ['F', fv('F', sized(table(['q', fv('S', sized(Buffer.from('r')))])))],
    );
    expect(decodeFieldTable(shared)).toEqual(amqplibCodec.decodeFields(shared));
  });
});

describe('toPyAmqpTable', () => {
  it.each([0, 1, -1, 7, 127, 128, -129, 300, 32768, -32769, 2147483647, -2147483648])('types %p as int32 (I)', (n) => {
    expect(toPyAmqpTable({ n })).toEqual({ n: { '!': 'int32', value: n } });
  });

  it.each([2147483648, 2 ** 40, Number.MAX_SAFE_INTEGER])('types large non-negative %p as int64 (l)', (n) => {
    expect(toPyAmqpTable({ n })).toEqual({ n: { '!': 'int64', value: n } });
  });

  it.each([-2147483649, -(2 ** 40), Number.MIN_SAFE_INTEGER, 2 ** 53, 2 ** 64])(
    'types %p as double: py-amqp reads l as unsigned, and unsafe integers are not exact',
    (n) => {
      expect(toPyAmqpTable({ n })).toEqual({ n: { '!': 'double', value: n } });
    },
  );

  it.each([1.5, -0.25, 2 ** 50 + 0.5, Number.NaN, Number.POSITIVE_INFINITY])('types non-integer %p as double', (n) => {
    expect(toPyAmqpTable({ n })).toEqual({ n: { '!': 'double', value: n } });
  });

  it('types bigints by range, keeping int64 values exact', () => {
    expect(toPyAmqpTable({ a: 5n, b: -5n, c: 2n ** 60n + 1n, d: -(2n ** 40n), e: 2n ** 64n })).toEqual({
      a: { '!': 'int32', value: 5 },
      b: { '!': 'int32', value: -5 },
      c: { '!': 'int64', value: 2n ** 60n + 1n },
      d: { '!': 'double', value: -(2 ** 40) },
      e: { '!': 'double', value: 2 ** 64 },
    });
  });

  it('passes strings, booleans and null through; undefined becomes null', () => {
    expect(toPyAmqpTable({ s: 'x', t: true, f: false, n: null, u: undefined })).toEqual({
      s: 'x',
      t: true,
      f: false,
      n: null,
      u: null,
    });
  });

  it('writes a Date as its ISO string', () => {
    expect(toPyAmqpTable({ d: new Date('2026-11-22T02:07:51.260Z') })).toEqual({ d: '2026-11-22T02:07:51.260Z' });
  });

  it('leaves Buffers and explicitly typed values alone', () => {
    const buf = Buffer.from('ab');
    const typed = { '!': 'timestamp', value: 5 };
    const out = toPyAmqpTable({ buf, typed });
    expect(out.buf).toBe(buf);
    expect(out.typed).toBe(typed);
  });

  it('types integers inside nested arrays and objects', () => {
    expect(toPyAmqpTable({ timelimit: [300, 60], nested: { a: [1, [2, { b: 2 ** 40 }]], s: 'x' }, empty: [] })).toEqual({
      timelimit: [
        { '!': 'int32', value: 300 },
        { '!': 'int32', value: 60 },
      ],
      nested: {
        a: [{ '!': 'int32', value: 1 }, [{ '!': 'int32', value: 2 }, { b: { '!': 'int64', value: 2 ** 40 } }]],
        s: 'x',
      },
      empty: [],
    });
  });

  it('does not mutate its input', () => {
    const input = { a: 1, arr: [1, 2], obj: { b: 3 } };
    const copy = structuredClone(input);
    toPyAmqpTable(input);
    expect(input).toEqual(copy);
  });

  describe('round trip through amqplib\'s own encoder', () => {
    const headers = {
      lang: 'py',
      task: 't.add',
      retries: 0,
      timelimit: [300, 60],
      group_index: 1,
      small: 7,
      neg: -5,
      byteish: -128,
      shortish: 32767,
      int32: 2147483647,
      big: 2 ** 40,
      bigneg: -(2 ** 40),
      float: 1.5,
      flag: true,
      none: null,
      missing: undefined,
      when: new Date('2030-01-01T00:00:00.000Z'),
      nested: { a: [1, -2, [3]], b: { c: 40000 } },
      list: [0, 'x', null, false, 2.5],
    };

    it('raw amqplib would write the b/s tags that desynchronise py-amqp (the hazard)', () => {
      const tags = allTags(tagsOf(amqplibEncode({ retries: 0, timelimit: [300, 60] })));
      expect(tags).toContain('b');
      expect(tags).toContain('s');
    });

    it('with toPyAmqpTable no b, B, s or u tag appears anywhere, and L never (amqplib writes l)', () => {
      const tags = allTags(tagsOf(amqplibEncode(toPyAmqpTable(headers))));
      for (const tag of ['b', 'B', 's', 'u', 'L']) expect(tags).not.toContain(tag);
      expect(new Set(tags)).toEqual(new Set(['S', 'I', 'A', 'l', 'd', 't', 'V', 'F']));
    });

    it('gives the exact tags py-amqp would use (l standing in for L)', () => {
      expect(tagsOf(amqplibEncode(toPyAmqpTable(headers)))).toEqual({
        lang: 'S',
        task: 'S',
        retries: 'I',
        timelimit: ['A', ['I', 'I']],
        group_index: 'I',
        small: 'I',
        neg: 'I',
        byteish: 'I',
        shortish: 'I',
        int32: 'I',
        big: 'l',
        bigneg: 'd',
        float: 'd',
        flag: 't',
        none: 'V',
        missing: 'V',
        when: 'S',
        nested: ['F', { a: ['A', ['I', 'I', ['A', ['I']]]], b: ['F', { c: 'I' }] }],
        list: ['A', ['I', 'S', 'V', 't', 'd']],
      });
    });

    it('decodes back to the same values with decodeFieldTable', () => {
      expect(decodeFieldTable(amqplibEncode(toPyAmqpTable(headers)))).toEqual({
        ...headers,
        missing: null,
        when: '2030-01-01T00:00:00.000Z',
      });
    });

    it('amqplib can encode NaN, Infinity and 2^50+0.5 once typed (it throws untyped)', () => {
      const odd = { nan: Number.NaN, inf: Number.POSITIVE_INFINITY, frac: 2 ** 50 + 0.5 };
      expect(() => amqplibEncode(odd)).toThrow();
      const decoded = decodeFieldTable(amqplibEncode(toPyAmqpTable(odd)));
      expect(decoded).toEqual(odd);
    });

    it('bigints beyond 2^53 stay exact through amqplib', () => {
      const decoded = decodeFieldTable(amqplibEncode(toPyAmqpTable({ x: 2n ** 60n + 1n })));
      expect(decoded.x).toBe(2n ** 60n + 1n);
    });
  });

  describe.each(vectorNames.filter((n) => n.startsWith('task-v2-')))(
    "re-encoding %s's headers through amqplib",
    (name) => {
      it('is byte-identical to what py-amqp sent (except L -> l for ints beyond int32)', () => {
        const vector = loadVector(name);
        const ours = amqplibEncode(toPyAmqpTable(decodeFieldTable(headersTableBytes(vector))));
        const theirs = Buffer.from(headersTableBytes(vector));
        const expectedTags = JSON.parse(JSON.stringify(vector.header_types_deep).replaceAll('"L"', '"l"')) as unknown;
        expect(tagsOf(ours)).toEqual(expectedTags);
        // Patch py-amqp's L tags to l (same payload: signed int64) and compare every byte.
        tagsOf(theirs, (at, tag) => {
          if (tag === 'L') theirs[at] = 'l'.charCodeAt(0);
        });
        expect(ours.toString('hex')).toBe(theirs.toString('hex'));
      });
    },
  );
});

describe('decodeFieldTable key cache', () => {
  it('returns the right keys for keys whose hashes collide, non-ASCII keys and long keys, every time', () => {
    const long = 'k'.repeat(41);
    const table = { Aa: 'first', BB: 'second', ключ: 'unicode', é: 'latin', [long]: 'long', lang: 'py' };
    for (let round = 0; round < 3; round++) {
      const decoded = decodeFieldTable(amqplibEncode(table));
      expect(decoded).toEqual(table);
      expect(Object.keys(decoded)).toEqual(Object.keys(table));
    }
  });
});

/** A table nested `depth` levels deep ({n: {n: … {k: null}}}): 7 bytes a level, as the 28 KB message. */
function nestedTables(depth: number): Buffer {
  const core = table(['k', fv('V')]);
  const bytes = Buffer.alloc(7 * depth + core.length);
  for (let level = 0; level < depth; level++) {
    const at = 7 * level;
    bytes[at] = 1;
    bytes.write('nF', at + 1, 'latin1');
    bytes.writeUInt32BE(bytes.length - at - 7, at + 3);
  }
  core.copy(bytes, 7 * depth);
  return bytes;
}

/** An array nested `depth` levels deep ([[[…[null]…]]]) as the only value of key `a`. */
function nestedArrays(depth: number): Buffer {
  let inner = fv('V');
  for (let i = 0; i < depth; i++) inner = fv('A', sized(inner));
  return table(['a', inner]);
}

describe('decoding hostile field tables (issue 12 item 2)', () => {
  it('a table nested 4000 levels deep (28 KB) is refused with a named error, not a stack overflow', () => {
    const bytes = nestedTables(4000);
    expect(bytes.length).toBeGreaterThan(28_000);
    expect(() => decodeFieldTable(bytes)).toThrow(InvalidFieldTableError);
    expect(() => decodeFieldTable(bytes)).toThrow(`nested deeper than ${MAX_FIELD_TABLE_DEPTH} levels`);
    expect(() => decodeFieldTable(nestedArrays(4000))).toThrow(`nested deeper than ${MAX_FIELD_TABLE_DEPTH} levels`);
  });

  it("amqplib's own decoder overflows the stack on the same bytes (a plain amqplib client dies on them too)", () => {
    expect(() => amqplibCodec.decodeFields(nestedTables(4000))).toThrow(RangeError);
    expect(() => amqplibCodec.decodeFields(nestedTables(4000))).toThrow('Maximum call stack size exceeded');
  });

  it('tables and arrays up to the depth bound decode as before', () => {
    let decoded: unknown = decodeFieldTable(nestedTables(MAX_FIELD_TABLE_DEPTH));
    for (let i = 0; i < MAX_FIELD_TABLE_DEPTH; i++) decoded = (decoded as { n: unknown }).n;
    expect(decoded).toEqual({ k: null });
    let array: unknown = decodeFieldTable(nestedArrays(MAX_FIELD_TABLE_DEPTH)).a;
    for (let i = 0; i < MAX_FIELD_TABLE_DEPTH; i++) array = (array as unknown[])[0];
    expect(array).toBeNull();
    expect(() => decodeFieldTable(nestedTables(MAX_FIELD_TABLE_DEPTH + 1))).toThrow(InvalidFieldTableError);
  });

  it('readFieldTable (what amqplib runs) returns an UndecodableFieldTable saying why, with the bytes, and looks empty to others', () => {
    const bytes = nestedTables(4000);
    const read = readFieldTable(bytes);
    expect(read).toBeInstanceOf(UndecodableFieldTable);
    const undecodable = read as UndecodableFieldTable;
    expect(undecodable.reason).toBe(`field tables and arrays nested deeper than ${MAX_FIELD_TABLE_DEPTH} levels (table of ${bytes.length} bytes)`);
    expect(undecodable.bytes.equals(bytes)).toBe(true);
    expect({ ...read }).toEqual({});
    expect(JSON.stringify(read)).toBe('{}');
    expect(readFieldTable(table(['k', fv('I', u32(7))]))).toEqual({ k: 7 });
  });

  it.each([
    ['an unknown tag', table(['x', fv('Z')]), 'Unexpected field table type tag "Z" at byte 2'],
    ['a string longer than the table', table(['s', fv('S', Buffer.concat([u32(1000), Buffer.from('short')]))]), 'value of 1000 bytes past the end at byte 7'],
    ['a nested table longer than the table', table(['f', fv('F', u32(50))]), 'value of 50 bytes past the end'],
    ['a byte array longer than the table', table(['b', fv('x', u32(9))]), 'value of 9 bytes past the end'],
    ['a cut int32', table(['i', fv('I', Buffer.from([0, 1]))]), 'value of 4 bytes past the end'],
    ['a cut length', table(['s', fv('S', Buffer.from([0, 0]))]), 'length past the end'],
    ['a key longer than the table', Buffer.concat([u8(200), Buffer.from('abc')]), 'key or value past the end at byte 0'],
    ['a key without a value', Buffer.concat([u8(1), Buffer.from('k')]), 'key or value past the end at byte 0'],
    ['an array item past its array', table(['a', fv('A', sized(fv('I', u32(1)).subarray(0, 3)))], ['z', fv('V')]), 'array item past the end of its array'],
  ])('%s: a named error from decodeFieldTable, an UndecodableFieldTable from readFieldTable', (_name, bytes, why) => {
    expect(() => decodeFieldTable(bytes)).toThrow(InvalidFieldTableError);
    expect(() => decodeFieldTable(bytes)).toThrow(why);
    const read = readFieldTable(bytes);
    expect(read).toBeInstanceOf(UndecodableFieldTable);
    expect((read as UndecodableFieldTable).reason).toContain(why);
  });

  it("a '__proto__' key is an ordinary header, not the table's prototype", () => {
    const decoded = decodeFieldTable(table(['__proto__', fv('F', sized(table(['task', fv('S', sized(Buffer.from('evil')))])))]));
    expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype);
    expect(decoded.task).toBeUndefined();
    expect(Object.keys(decoded)).toEqual(['__proto__']);
    expect({ ...decoded }.__proto__).toEqual({ task: 'evil' });
  });

  it('never throws on random bytes or on any cut of a valid table', () => {
    const valid = table(
      ['s', fv('S', sized(Buffer.from('text')))],
      ['a', fv('A', sized(Buffer.concat([fv('I', u32(1)), fv('F', sized(table(['k', fv('T', Buffer.alloc(8))])))])))],
      ['d', fv('D', Buffer.concat([u8(2), u32(5)]))],
      ['x', fv('x', sized(Buffer.from([1, 2, 3])))],
    );
    for (let cut = 0; cut <= valid.length; cut++) expect(() => readFieldTable(valid.subarray(0, cut))).not.toThrow();
    let seed = 12;
    const random = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
    for (let i = 0; i < 2000; i++) {
      const bytes = Buffer.alloc(1 + Math.floor(random() * 64));
      for (let j = 0; j < bytes.length; j++) bytes[j] = Math.floor(random() * 256);
      if (i % 2 === 0) bytes[0] = Math.min(bytes[0]!, bytes.length - 2 > 0 ? bytes.length - 2 : 0);
      expect(() => readFieldTable(bytes)).not.toThrow();
    }
  });
});
