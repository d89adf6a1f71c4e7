/**
 * `json.dumps(value)` as Python writes it (kombu's JSON serializer with default arguments):
 * `", "` and `": "` as separators and non-ASCII characters as `\uXXXX` escapes (`ensure_ascii`),
 * so what a Nest worker stores in Redis is byte for byte what a Python worker stores.
 * `value` must already be JSON data (see `toCeleryJsonData`).
 */
export function pythonJsonDumps(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  switch (typeof value) {
    case 'string':
      return asciiString(value);
    case 'number':
      return Number.isFinite(value) ? JSON.stringify(value) : value > 0 ? 'Infinity' : value < 0 ? '-Infinity' : 'NaN';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      if (Array.isArray(value)) return `[${value.map((item) => pythonJsonDumps(item)).join(', ')}]`;
      return `{${Object.entries(value as Record<string, unknown>)
        .filter(([, item]) => item !== undefined)
        .map(([key, item]) => `${asciiString(key)}: ${pythonJsonDumps(item)}`)
        .join(', ')}}`;
    default:
      return 'null';
  }
}

/** A JSON string literal with every character above U+007F escaped, as `ensure_ascii=True` does. */
function asciiString(text: string): string {
  // eslint-disable-next-line no-control-regex
  return JSON.stringify(text).replace(/[\u007f-\uffff]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
