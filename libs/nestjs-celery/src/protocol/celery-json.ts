import { decodeTypeMarker, InvalidTypeMarkerError, isTypeMarker } from './celery-json.markers.js';

const NON_FINITE_PREFIX = '\u0000celery-json:';
const NON_FINITE: Record<string, number> = { NaN: Number.NaN, Infinity: Infinity, '-Infinity': -Infinity };

/** Replaces bare `NaN`, `Infinity` and `-Infinity` outside strings with marker strings. */
function quoteNonFinite(text: string): string {
  let out = '';
  let last = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (inString) {
      if (ch === 0x5c) i++; // backslash escape
      else if (ch === 0x22) inString = false;
      continue;
    }
    if (ch === 0x22) {
      inString = true;
      continue;
    }
    for (const token of ['-Infinity', 'Infinity', 'NaN']) {
      if (text.startsWith(token, i)) {
        out += text.slice(last, i) + JSON.stringify(NON_FINITE_PREFIX + token);
        i += token.length - 1;
        last = i + 1;
        break;
      }
    }
  }
  return out + text.slice(last);
}

/** Revives kombu ≥ 5.3's type markers (a reviver runs innermost values first). */
function reviveMarker(_key: string, value: unknown): unknown {
  return isTypeMarker(value) ? decodeTypeMarker(value) : value;
}

function reviveNonFinite(_key: string, value: unknown): unknown {
  return typeof value === 'string' && value.startsWith(NON_FINITE_PREFIX) ? NON_FINITE[value.slice(NON_FINITE_PREFIX.length)] : value;
}

/**
 * Parses JSON as kombu writes it: Python's `json.dumps` (allow_nan) writes `NaN`, `Infinity` and
 * `-Infinity` as bare tokens, which `JSON.parse` refuses, and kombu ≥ 5.3 (Celery 5.3+) writes
 * datetimes, dates, times, decimals, UUIDs and bytes as type markers (`{"__type__": "datetime",
 * "__value__": "..."}`), decoded here by {@link decodeTypeMarker}: a `Date`, strings, a `Buffer`.
 * Plain JSON takes the fast path. Throws a `SyntaxError` for text that is not JSON and
 * {@link InvalidTypeMarkerError} for a marker whose value does not decode.
 */
export function parseCeleryJson(text: string): unknown {
  const markers = text.includes('"__type__"');
  try {
    return markers ? JSON.parse(text, reviveMarker) : JSON.parse(text);
  } catch (error) {
    if (error instanceof InvalidTypeMarkerError || !/NaN|Infinity/.test(text)) throw error;
    return JSON.parse(quoteNonFinite(text), markers ? (key, value: unknown) => reviveMarker(key, reviveNonFinite(key, value)) : reviveNonFinite);
  }
}
