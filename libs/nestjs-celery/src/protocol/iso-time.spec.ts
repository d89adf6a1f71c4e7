import { describe, expect, it } from '@jest/globals';
import { parseCeleryIsoDate, toCeleryIsoString } from './iso-time.js';
import { InvalidTaskMessageError } from './protocol.errors.js';

function iso(value: unknown): string | null {
  return parseCeleryIsoDate(value, 'eta')?.toISOString() ?? null;
}

describe('parseCeleryIsoDate', () => {
  it.each([
    // Python datetime.isoformat() of an aware UTC value (what Celery writes for eta/expires)
    ['2026-11-22T02:07:51.260648+00:00', '2026-11-22T02:07:51.260Z'],
    ['2026-11-22T02:07:51+00:00', '2026-11-22T02:07:51.000Z'],
    // JS toISOString()
    ['2020-01-01T00:00:00.000Z', '2020-01-01T00:00:00.000Z'],
    ['2020-01-01T00:00:00Z', '2020-01-01T00:00:00.000Z'],
    ['2020-01-01t00:00:00z', '2020-01-01T00:00:00.000Z'],
    // kombu 5.2 JSON for an aware datetime: +00:00 replaced by Z, microseconds kept
    ['2024-01-02T03:04:05.123456Z', '2024-01-02T03:04:05.123Z'],
    // naive values are UTC (enable_utc=True)
    ['2030-01-01T12:00:00', '2030-01-01T12:00:00.000Z'],
    ['2030-01-01T12:00:00.5', '2030-01-01T12:00:00.500Z'],
    ['2030-01-01T12:00', '2030-01-01T12:00:00.000Z'],
    ['2030-01-01 12:00:00', '2030-01-01T12:00:00.000Z'],
    ['2030-01-01', '2030-01-01T00:00:00.000Z'],
    ['2030-1-2', '2030-01-02T00:00:00.000Z'],
    // other offsets
    ['2030-01-01T12:00:00+05:30', '2030-01-01T06:30:00.000Z'],
    ['2030-01-01T12:00:00-08:00', '2030-01-01T20:00:00.000Z'],
    ['2030-01-01T12:00:00+0530', '2030-01-01T06:30:00.000Z'],
    ['2030-01-01T12:00:00+02', '2030-01-01T10:00:00.000Z'],
    ['2030-01-01T00:30:00+01:00', '2029-12-31T23:30:00.000Z'],
    // leap day, fraction rounding down, surrounding whitespace
    ['2024-02-29T23:59:59.9999999Z', '2024-02-29T23:59:59.999Z'],
    ['  2030-01-01T00:00:00Z  ', '2030-01-01T00:00:00.000Z'],
  ])('%j -> %s', (input, expected) => {
    expect(iso(input)).toBe(expected);
  });

  it('null, undefined and "" mean "not set"', () => {
    expect(parseCeleryIsoDate(null, 'eta')).toBeNull();
    expect(parseCeleryIsoDate(undefined, 'eta')).toBeNull();
    expect(parseCeleryIsoDate('', 'eta')).toBeNull();
  });

  it('passes a Date through and reads a number as epoch seconds', () => {
    const date = new Date('2030-01-01T00:00:00Z');
    expect(parseCeleryIsoDate(date, 'eta')).toBe(date);
    expect(iso(1_700_000_000.5)).toBe('2023-11-14T22:13:20.500Z');
  });

  it.each([
    'tomorrow',
    'not a date 12',
    '1',
    '2020',
    '2020-01',
    '12:00:00',
    'Tue, 01 Jan 2030 00:00:00 GMT',
    '2030-13-01T00:00:00',
    '2030-00-10',
    '2030-01-32',
    '2023-02-29T00:00:00Z',
    '2030-02-30',
    '2030-01-01T24:00:00',
    '2030-01-01T12:60:00',
    '2030-01-01T12:00:60',
    '2030-01-01T12:00:00+24:00',
    '2030-01-01T12:00:00+01:61',
    '2030-01-01T12:00:00 junk',
    '2030-01-01T12',
    '20300101T120000Z',
  ])('rejects %j with reason bad-time', (input) => {
    let caught: unknown;
    try {
      parseCeleryIsoDate(input, 'expires');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InvalidTaskMessageError);
    expect((caught as InvalidTaskMessageError).reason).toBe('bad-time');
    expect((caught as InvalidTaskMessageError).message).toContain("'expires'");
  });

  it.each([[true], [{}], [[2030, 1, 1]], [Number.NaN], [Number.POSITIVE_INFINITY]])('rejects a %p value', (value) => {
    expect(() => parseCeleryIsoDate(value, 'eta')).toThrow(InvalidTaskMessageError);
  });
});

describe('toCeleryIsoString', () => {
  it('writes datetime.isoformat() of an aware UTC value: 6 fraction digits and +00:00', () => {
    expect(toCeleryIsoString(new Date('2026-11-22T02:07:51.260Z'))).toBe('2026-11-22T02:07:51.260000+00:00');
    expect(toCeleryIsoString(new Date('2020-01-01T00:00:00Z'))).toBe('2020-01-01T00:00:00.000000+00:00');
  });

  it('matches the Python shape', () => {
    expect(toCeleryIsoString(new Date())).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}\+00:00$/);
  });

  it('round-trips through parseCeleryIsoDate', () => {
    const date = new Date('2031-07-08T09:10:11.123Z');
    expect(parseCeleryIsoDate(toCeleryIsoString(date), 'eta')?.getTime()).toBe(date.getTime());
  });

  it('throws for an invalid Date', () => {
    expect(() => toCeleryIsoString(new Date(Number.NaN))).toThrow(RangeError);
  });
});
