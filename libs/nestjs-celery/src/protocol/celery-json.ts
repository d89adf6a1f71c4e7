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

/**
 * Parses JSON as kombu writes it: Python's `json.dumps` (allow_nan) writes `NaN`, `Infinity` and
 * `-Infinity` as bare tokens, which `JSON.parse` refuses. Plain JSON takes the fast path.
 */
export function parseCeleryJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    if (!/NaN|Infinity/.test(text)) throw error;
    return JSON.parse(quoteNonFinite(text), (_key, value: unknown) =>
      typeof value === 'string' && value.startsWith(NON_FINITE_PREFIX) ? NON_FINITE[value.slice(NON_FINITE_PREFIX.length)] : value,
    );
  }
}
