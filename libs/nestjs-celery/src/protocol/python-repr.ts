const MAX_REPR_LENGTH = 1024;

/**
 * A Python-style `repr` of a JSON value, as Celery writes `argsrepr`/`kwargsrepr`
 * (`saferepr`, cut at 1024 characters). Used only for logs and monitoring.
 */
export function pythonRepr(value: unknown, asTuple = false): string {
  const out: string[] = [];
  let length = 0;
  const push = (text: string): boolean => {
    out.push(text);
    length += text.length;
    return length < MAX_REPR_LENGTH;
  };
  const walk = (v: unknown, depth: number): boolean => {
    if (v === null || v === undefined) return push('None');
    switch (typeof v) {
      case 'boolean':
        return push(v ? 'True' : 'False');
      case 'number':
        return push(Number.isFinite(v) ? String(v) : Number.isNaN(v) ? 'nan' : v > 0 ? 'inf' : '-inf');
      case 'bigint':
        return push(v.toString());
      case 'string':
        return push(pythonStringRepr(v));
      case 'object': {
        if (depth > 8) return push('...');
        if (v instanceof Date) return push(pythonStringRepr(v.toISOString()));
        if (Array.isArray(v)) {
          if (!push('[')) return false;
          for (let i = 0; i < v.length; i++) {
            if (i > 0 && !push(', ')) return false;
            if (!walk(v[i], depth + 1)) return false;
          }
          return push(']');
        }
        if (!push('{')) return false;
        let first = true;
        for (const key of Object.keys(v)) {
          if (!first && !push(', ')) return false;
          first = false;
          if (!push(pythonStringRepr(key) + ': ')) return false;
          if (!walk((v as Record<string, unknown>)[key], depth + 1)) return false;
        }
        return push('}');
      }
      default:
        return push(pythonStringRepr(String(v)));
    }
  };
  if (asTuple && Array.isArray(value)) {
    push('(');
    for (let i = 0; i < value.length && length < MAX_REPR_LENGTH; i++) {
      if (i > 0) push(', ');
      walk(value[i], 1);
    }
    push(value.length === 1 ? ',)' : ')');
  } else {
    walk(value, 0);
  }
  const text = out.join('');
  return text.length > MAX_REPR_LENGTH ? text.slice(0, MAX_REPR_LENGTH - 3) + '...' : text;
}

/** Python's repr of a str: single quotes unless the text holds a single quote and no double quote. */
export function pythonStringRepr(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let body = '';
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (ch === '\\') body += '\\\\';
    else if (ch === quote) body += '\\' + quote;
    else if (ch === '\n') body += '\\n';
    else if (ch === '\r') body += '\\r';
    else if (ch === '\t') body += '\\t';
    else if (code < 0x20 || code === 0x7f) body += '\\x' + code.toString(16).padStart(2, '0');
    else body += ch;
  }
  return quote + body + quote;
}
