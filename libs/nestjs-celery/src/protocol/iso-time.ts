import { InvalidTaskMessageError } from './protocol.errors.js';

/**
 * Writes a date the way Python's `datetime.isoformat()` does for an aware UTC value:
 * `2026-11-22T02:07:51.260000+00:00`.
 */
export function toCeleryIsoString(date: Date): string {
  const iso = date.toISOString(); // 2026-11-22T02:07:51.260Z
  return `${iso.slice(0, 23)}000+00:00`;
}

const ZONE_SUFFIX = /(Z|[+-]\d{2}:?\d{2})$/i;
const FRACTION = /\.(\d+)/;

/**
 * Parses an ISO-8601 `eta`/`expires` header. Naive values are UTC (Celery's `enable_utc`).
 * Throws {@link InvalidTaskMessageError} for text that is not a date, as Celery rejects it.
 */
export function parseCeleryIsoDate(value: unknown, field: string): Date | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value;
  if (typeof value === 'number' && Number.isFinite(value)) return new Date(value * 1000);
  if (typeof value !== 'string') {
    throw new InvalidTaskMessageError('bad-time', `header '${field}' must be an ISO-8601 string, got ${typeof value}`);
  }
  let text = value.trim();
  // JavaScript parses at most millisecond precision reliably: cut microseconds.
  text = text.replace(FRACTION, (_m, digits: string) => '.' + digits.slice(0, 3).padEnd(3, '0'));
  if (!ZONE_SUFFIX.test(text) && text.includes('T')) text += 'Z';
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) {
    throw new InvalidTaskMessageError('bad-time', `header '${field}' is not an ISO-8601 date: ${JSON.stringify(value)}`);
  }
  return new Date(ms);
}
