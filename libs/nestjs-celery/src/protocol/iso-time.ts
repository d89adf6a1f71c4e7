import { InvalidTaskMessageError } from './protocol.errors.js';

/**
 * Writes a date the way Python's `datetime.isoformat()` does for an aware UTC value:
 * `2026-11-22T02:07:51.260000+00:00`.
 */
export function toCeleryIsoString(date: Date): string {
  const iso = date.toISOString(); // 2026-11-22T02:07:51.260Z
  return `${iso.slice(0, 23)}000+00:00`;
}

/**
 * The forms Celery's `parse_iso8601` reads: `YYYY-M-D`, optionally followed by a separator,
 * `HH:MM`, optional `:SS` with an optional fraction, and an optional zone (`Z` or `±HH:MM`;
 * `±HHMM` and `±HH` are read too). Unlike `Date.parse`, nothing else is accepted.
 */
const ISO8601 =
  /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?(Z|[+-]\d{2}(?::?\d{2})?)?)?$/i;

function invalid(field: string, value: unknown): InvalidTaskMessageError {
  return new InvalidTaskMessageError('bad-time', `header '${field}' is not an ISO-8601 date: ${JSON.stringify(value)}`);
}

/**
 * Parses an ISO-8601 `eta`/`expires` header. Naive values are UTC (Celery's `enable_utc`).
 * Throws {@link InvalidTaskMessageError} for text that is not a date, as Celery rejects it.
 * Like Celery, an empty string means "not set".
 */
export function parseCeleryIsoDate(value: unknown, field: string): Date | null {
  if (value === null || value === undefined || value === '') return null;
  if (value instanceof Date) return value;
  if (typeof value === 'number' && Number.isFinite(value)) return new Date(value * 1000);
  if (typeof value !== 'string') {
    throw new InvalidTaskMessageError('bad-time', `header '${field}' must be an ISO-8601 string, got ${typeof value}`);
  }
  const match = ISO8601.exec(value.trim());
  if (!match) throw invalid(field, value);
  const [, y, mo, d, h = '0', mi = '0', s = '0', fraction = '', zone = ''] = match;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  // JavaScript dates hold milliseconds: microseconds are cut.
  const millis = Number(fraction.slice(0, 3).padEnd(3, '0'));
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) throw invalid(field, value);
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  if (date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) throw invalid(field, value); // e.g. Feb 30
  date.setUTCHours(hour, minute, second, millis);
  let offsetMinutes = 0;
  if (zone && zone.toUpperCase() !== 'Z') {
    const digits = zone.slice(1).replace(':', '');
    const offsetHours = Number(digits.slice(0, 2));
    const offsetMins = Number(digits.slice(2, 4) || '0');
    if (offsetHours > 23 || offsetMins > 59) throw invalid(field, value);
    offsetMinutes = (zone.startsWith('-') ? -1 : 1) * (offsetHours * 60 + offsetMins);
  }
  return new Date(date.getTime() - offsetMinutes * 60_000);
}
