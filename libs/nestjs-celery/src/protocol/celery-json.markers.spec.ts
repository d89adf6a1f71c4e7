import { describe, expect, it } from '@jest/globals';
import { CeleryEncodeError, toCeleryJsonData } from './celery-json.encoder.js';
import { speaksTypeMarkers } from './celery-json.markers.js';
import { PythonValue } from './celery-json.python-value.js';
import { parseCeleryJson } from './celery-json.js';

/** What kombu 5.5.3's JSONEncoder writes for these Python values (checked with Celery 5.5.2's kombu). */
const KOMBU_55 = `[
  {"__type__": "datetime", "__value__": "2026-01-02T03:04:05.123456+00:00"},
  {"__type__": "datetime", "__value__": "2026-01-02T03:04:05"},
  {"__type__": "datetime", "__value__": "2026-01-02T05:04:05+02:00"},
  {"__type__": "date", "__value__": "2026-01-02"},
  {"__type__": "time", "__value__": "03:04:05.123000"},
  {"__type__": "decimal", "__value__": "12.50"},
  {"__type__": "uuid", "__value__": {"hex": "12345678123456781234567812345678"}},
  {"__type__": "bytes", "__value__": "raw é"},
  {"__type__": "base64", "__value__": "/wA="}
]`;

describe("parseCeleryJson: kombu ≥ 5.3's type markers", () => {
  it('decodes datetime to Date (naive = UTC), uuid to its string, bytes to Buffer, date/time/decimal to their strings', () => {
    expect(parseCeleryJson(KOMBU_55)).toEqual([
      new Date('2026-01-02T03:04:05.123Z'),
      new Date('2026-01-02T03:04:05Z'),
      new Date('2026-01-02T03:04:05Z'),
      '2026-01-02',
      '03:04:05.123000',
      '12.50',
      '12345678-1234-5678-1234-567812345678',
      Buffer.from('raw é'),
      Buffer.from([0xff, 0]),
    ]);
  });

  it('decodes markers nested anywhere, also beside bare NaN tokens', () => {
    expect(parseCeleryJson('{"result": {"at": [{"__type__": "decimal", "__value__": "1"}]}, "n": NaN}')).toEqual({ result: { at: ['1'] }, n: NaN });
  });

  it('leaves unknown types, extra keys and the words inside strings alone', () => {
    const text = '[{"__type__": "money", "__value__": 1}, {"__type__": "date", "__value__": "x", "more": 1}, "\\"__type__\\""]';
    expect(parseCeleryJson(text)).toEqual([{ __type__: 'money', __value__: 1 }, { __type__: 'date', __value__: 'x', more: 1 }, '"__type__"']);
  });

  it('rejects a known marker whose value does not decode, as kombu raises ValueError', () => {
    for (const bad of ['{"__type__": "datetime", "__value__": "soon"}', '{"__type__": "uuid", "__value__": {"hex": "xyz"}}', '{"__type__": "base64", "__value__": "%%"}', '{"__type__": "decimal", "__value__": 1}']) {
      expect(() => parseCeleryJson(bad)).toThrow(/type marker value/);
    }
  });
});

describe("toCeleryJsonData with typeMarkers: what kombu 5.5's decoder reads as Python types", () => {
  const values = [new Date('2026-01-02T03:04:05.123Z'), Buffer.from('raw'), new Uint8Array([0xff]), PythonValue.decimal('12.50'), PythonValue.uuid('12345678-1234-5678-1234-567812345678'), PythonValue.date('2026-01-02'), PythonValue.time('03:04:05')];

  it('writes Date, binary data and PythonValue as markers', () => {
    expect(toCeleryJsonData(values, 'args', { typeMarkers: true })).toEqual([
      { __type__: 'datetime', __value__: '2026-01-02T03:04:05.123000+00:00' },
      { __type__: 'bytes', __value__: 'raw' },
      { __type__: 'base64', __value__: '/w==' },
      { __type__: 'decimal', __value__: '12.50' },
      { __type__: 'uuid', __value__: { hex: '12345678123456781234567812345678' } },
      { __type__: 'date', __value__: '2026-01-02' },
      { __type__: 'time', __value__: '03:04:05' },
    ]);
  });

  it('without markers writes what kombu 5.2 writes, and still refuses binary data', () => {
    expect(toCeleryJsonData([values[0], ...values.slice(3)], 'args')).toEqual([
      '2026-01-02T03:04:05.123Z',
      '12.50',
      '12345678-1234-5678-1234-567812345678',
      '2026-01-02T00:00:00',
      '03:04:05',
    ]);
    expect(() => toCeleryJsonData([Buffer.from('x')], 'args')).toThrow(CeleryEncodeError);
  });

  it('round-trips through parseCeleryJson', () => {
    const sent = { at: new Date('2026-01-02T03:04:05.123Z'), raw: Buffer.from([1, 2, 0xfe]), id: PythonValue.uuid('12345678123456781234567812345678') };
    expect(parseCeleryJson(JSON.stringify(toCeleryJsonData(sent, 'args', { typeMarkers: true })))).toEqual({
      at: sent.at,
      raw: sent.raw,
      id: '12345678-1234-5678-1234-567812345678',
    });
  });
});

describe('PythonValue', () => {
  it('refuses what the Python type would not read', () => {
    expect(() => PythonValue.decimal('12,50')).toThrow(TypeError);
    expect(() => PythonValue.uuid('1234')).toThrow(TypeError);
    expect(() => PythonValue.date('2026-02-30')).toThrow(TypeError);
    expect(() => PythonValue.time('3:04')).toThrow(TypeError);
    expect(() => PythonValue.time('03:04:05Z')).toThrow(TypeError);
  });

  it('takes numbers, bigints and Dates where they are exact', () => {
    expect(PythonValue.decimal(2n ** 70n).toJSON()).toBe('1180591620717411303424');
    expect(PythonValue.decimal(-1.5).value).toBe('-1.5');
    expect(PythonValue.date(new Date('2026-01-02T23:00:00Z')).value).toBe('2026-01-02');
    expect(`${PythonValue.uuid('12345678123456781234567812345678')}`).toBe('12345678-1234-5678-1234-567812345678');
  });
});

describe('speaksTypeMarkers', () => {
  it("tells Celery 5.3+ task headers from Celery 5.2's and the Nest client's", () => {
    expect(speaksTypeMarkers({ task: 't', id: 'i', stamped_headers: null, stamps: {}, replaced_task_nesting: 0 })).toBe(true);
    expect(speaksTypeMarkers({ task: 't', id: 'i', lang: 'py', argsrepr: '()' })).toBe(false);
    expect(speaksTypeMarkers(undefined)).toBe(false);
  });
});
