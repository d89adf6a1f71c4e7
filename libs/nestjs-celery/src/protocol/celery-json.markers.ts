import { isUtf8 } from 'node:buffer';
import { parseCeleryIsoDate, toCeleryIsoString } from './iso-time.js';
import { PythonValue } from './celery-json.python-value.js';

/**
 * kombu ≥ 5.3's JSON type markers (`kombu/utils/json.py`): a Python value JSON has no type for
 * travels as `{"__type__": <type>, "__value__": <value>}`. Kombu 5.2 (Celery 5.2) writes these
 * values as plain strings and reads markers as ordinary dicts.
 */
export interface TypeMarker {
  __type__: string;
  __value__: unknown;
}

/** A marker `__type__` that is not one of kombu's (a type registered in a Python app): left as it is. */
const KNOWN_TYPES = new Set(['datetime', 'date', 'time', 'decimal', 'uuid', 'bytes', 'base64']);

/** A marker kombu writes but whose value does not decode (kombu raises `ValueError` for it too). */
export class InvalidTypeMarkerError extends Error {
  override readonly name = 'InvalidTypeMarkerError';
}

/** True for an object with exactly the keys `__type__` and `__value__`, as kombu's `object_hook` tests. */
export function isTypeMarker(value: unknown): value is TypeMarker {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 2 && '__type__' in value && '__value__' in value && KNOWN_TYPES.has((value as TypeMarker).__type__);
}

function invalid(marker: TypeMarker): InvalidTypeMarkerError {
  const shown = JSON.stringify(marker.__value__) ?? 'undefined';
  return new InvalidTypeMarkerError(`invalid '${marker.__type__}' type marker value ${shown.length > 80 ? `${shown.slice(0, 80)}…` : shown}`);
}

function stringValue(marker: TypeMarker): string {
  if (typeof marker.__value__ !== 'string') throw invalid(marker);
  return marker.__value__;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * The JavaScript value of a kombu type marker (see docs/guide-errors-and-values.md):
 * `datetime` → `Date` (naive values are UTC, as Celery's `enable_utc` reads them; microseconds are
 * cut to milliseconds), `uuid` → its canonical string, `bytes`/`base64` → `Buffer`, and `date`,
 * `time`, `decimal` → the marker's string, exactly as Python wrote it (`'2026-01-02'`,
 * `'03:04:05'`, `'12.50'`): JavaScript has no date-only, time-only or decimal type, and a string
 * keeps every digit. Throws {@link InvalidTypeMarkerError} for a value that does not decode.
 */
export function decodeTypeMarker(marker: TypeMarker): unknown {
  switch (marker.__type__) {
    case 'datetime':
      try {
        return parseCeleryIsoDate(stringValue(marker), '__value__');
      } catch {
        throw invalid(marker);
      }
    case 'uuid': {
      const hex = (marker.__value__ as { hex?: unknown } | null)?.hex;
      if (typeof hex !== 'string') throw invalid(marker);
      try {
        return PythonValue.uuid(hex).toString();
      } catch {
        throw invalid(marker);
      }
    }
    case 'bytes':
      return Buffer.from(stringValue(marker), 'utf8');
    case 'base64': {
      const text = stringValue(marker);
      if (!BASE64.test(text) || text.length % 4 !== 0) throw invalid(marker);
      return Buffer.from(text, 'base64');
    }
    default: // date, time, decimal
      return stringValue(marker);
  }
}

/** `{"__type__": type, "__value__": value}` */
function marker(type: string, value: unknown): TypeMarker {
  return { __type__: type, __value__: value };
}

/** kombu ≥ 5.3's marker for a `Date` (an aware UTC `datetime`, as `datetime.isoformat()` writes it). */
export function dateMarker(date: Date): TypeMarker {
  return marker('datetime', toCeleryIsoString(date));
}

/** kombu ≥ 5.3's marker for binary data: `bytes` with the text when it is UTF-8, else `base64`. */
export function bytesMarker(bytes: Uint8Array): TypeMarker {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return isUtf8(buffer) ? marker('bytes', buffer.toString('utf8')) : marker('base64', buffer.toString('base64'));
}

/** kombu ≥ 5.3's marker for a {@link PythonValue}; a `uuid` as `{"hex": ...}`, which `uuid.UUID(**value)` reads. */
export function pythonValueMarker(value: PythonValue): TypeMarker {
  return marker(value.type, value.type === 'uuid' ? { hex: value.value } : value.value);
}

/**
 * True when a task message comes from Celery ≥ 5.3, whose kombu (≥ 5.3) reads type markers:
 * those Celery versions always write the `stamped_headers` and `replaced_task_nesting` headers,
 * Celery 5.2 neither.
 */
export function speaksTypeMarkers(headers: Record<string, unknown> | undefined): boolean {
  return headers !== undefined && ('stamped_headers' in headers || 'replaced_task_nesting' in headers);
}
