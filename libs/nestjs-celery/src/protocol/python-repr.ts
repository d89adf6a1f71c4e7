const MAX_REPR_LENGTH = 1024;
/** Celery's `saferepr` default: containers nested deeper than this print as `[...]`. */
const MAX_LEVELS = 3;

/*
 * A port of Celery 5.2.6's `celery.utils.saferepr` for JSON-like values, so `argsrepr` and
 * `kwargsrepr` read exactly as a Python client writes them. Its quirks are kept on purpose:
 * strings are quoted with `'` and only `'` is escaped (no `\n`/`\\` escapes), containers nested
 * more than three levels deep print as `[...]`, long strings are cut with `...` at a word
 * boundary, and once 1024 characters are written the rest becomes `, ...` plus the closing
 * brackets. Lengths count code points, as Python does.
 */

/** Literal text; `truncate: false` marks closing brackets, which survive truncation. */
class Literal {
  constructor(
    readonly value: string,
    readonly truncate: boolean,
    readonly direction: number,
  ) {}
}
/** A dict key (repr'd on its own, with the budget left). */
class Key {
  constructor(readonly value: string) {}
}
/** A string value, quoted and truncated. */
class Quoted {
  constructor(readonly value: string) {}
}
/** Plain text such as a number or `None`, truncated like a string but not quoted. */
class Text {
  constructor(readonly value: string) {}
}
/** End of a container: forget it for recursion detection. */
class Dirty {
  constructor(readonly obj: object) {}
}
/** The top-level `args` tuple. */
class PyTuple {
  constructor(readonly items: readonly unknown[]) {}
}

type Token = Literal | Key | Quoted | Text;

const LIT_DICT_START = new Literal('{', false, +1);
const LIT_DICT_KVSEP = new Literal(': ', true, 0);
const LIT_DICT_END = new Literal('}', false, -1);
const LIT_LIST_START = new Literal('[', false, +1);
const LIT_LIST_END = new Literal(']', false, -1);
const LIT_LIST_SEP = new Literal(', ', true, 0);
const LIT_TUPLE_START = new Literal('(', false, +1);
const LIT_TUPLE_END = new Literal(')', false, -1);
const LIT_TUPLE_END_SV = new Literal(',)', false, -1);

/** Length in code points (Python's `len` of a str). */
function pyLength(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}

/** The first `count` code points of `text` (Python's `text[:count]`). */
function pyPrefix(text: string, count: number): string {
  let taken = 0;
  let i = 0;
  while (i < text.length && taken < count) {
    const c = text.charCodeAt(i);
    i += c >= 0xd800 && c <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00 ? 2 : 1;
    taken++;
  }
  return text.slice(0, i);
}

/** `celery.utils.text.truncate`: cut at `maxlen`, back to the last space, and append `...`. */
function truncate(text: string, maxlen: number | null): string {
  if (maxlen && pyLength(text) >= maxlen) {
    const head = pyPrefix(text, maxlen);
    const space = head.lastIndexOf(' ');
    return (space === -1 ? head : head.slice(0, space)) + '...';
  }
  return text;
}

function formatChars(text: string, maxlen: number | null): string {
  return `'${truncate(text, maxlen).replace(/'/g, "\\'")}'`;
}

/** Python's `repr(float)`: shortest round-trip digits, exponent form outside 1e-4 <= |x| < 1e16. */
function pythonFloatRepr(n: number): string {
  const [mantissa = '0', expText = '0'] = n.toExponential().split('e');
  const exponent = Number(expText);
  if (exponent < -4 || exponent >= 16) {
    const sign = exponent < 0 ? '-' : '+';
    return `${mantissa}e${sign}${String(Math.abs(exponent)).padStart(2, '0')}`;
  }
  const text = String(n); // JS uses fixed notation in this range too
  return text.includes('.') ? text : `${text}.0`;
}

/**
 * `str()` of the number Python decodes from `JSON.stringify(n)`: integral values below 1e21 are
 * written as digits (a Python int), anything else in exponent or fraction form (a Python float).
 */
function pythonNumber(n: number): string {
  if (Number.isNaN(n)) return 'nan';
  if (!Number.isFinite(n)) return n > 0 ? 'inf' : '-inf';
  if (Number.isInteger(n) && Math.abs(n) < 1e21) return String(n === 0 ? 0 : n);
  return pythonFloatRepr(n);
}

/** Values JSON drops from an object (so the receiver never sees the key). */
function droppedByJson(value: unknown): boolean {
  return value === undefined || typeof value === 'function' || typeof value === 'symbol';
}

function* chain(...parts: Iterable<unknown>[]): Generator<unknown> {
  for (const part of parts) yield* part;
}

function* chainList(items: readonly unknown[]): Generator<unknown> {
  for (let i = 0; i < items.length; i++) {
    yield droppedByJson(items[i]) ? null : items[i];
    if (i < items.length - 1) yield LIT_LIST_SEP;
  }
}

function* chainDict(entries: [string, unknown][]): Generator<unknown> {
  for (let i = 0; i < entries.length; i++) {
    const [key, value] = entries[i]!;
    yield new Key(key);
    yield LIT_DICT_KVSEP;
    yield value;
    if (i < entries.length - 1) yield LIT_LIST_SEP;
  }
}

/** `reprstream`: walks the value iteratively, yielding tokens and the iterator they came from. */
function* reprStream(stack: Iterator<unknown>[], maxlevels: number): Generator<[Token, Iterator<unknown>]> {
  const seen = new Set<object>();
  let level = 0;
  while (stack.length > 0) {
    const it = stack.shift()!;
    for (let step = it.next(); !step.done; step = it.next()) {
      let val = step.value;
      if (val instanceof Dirty) {
        seen.delete(val.obj);
        continue;
      }
      if (val instanceof Literal) {
        level += val.direction;
        yield [val, it];
        continue;
      }
      if (val instanceof Key) {
        yield [val, it];
        continue;
      }
      if (val !== null && typeof val === 'object' && !(val instanceof PyTuple) && typeof (val as { toJSON?: unknown }).toJSON === 'function') {
        val = (val as { toJSON(): unknown }).toJSON(); // e.g. Date: what JSON puts on the wire
      }
      if (val === null || val === undefined) {
        yield [new Text('None'), it];
        continue;
      }
      switch (typeof val) {
        case 'boolean':
          yield [new Text(val ? 'True' : 'False'), it];
          continue;
        case 'number':
          yield [new Text(pythonNumber(val)), it];
          continue;
        case 'bigint':
          yield [new Text(val.toString()), it];
          continue;
        case 'string':
          yield [new Quoted(val), it];
          continue;
        case 'object':
          break;
        default:
          yield [new Text(String(val)), it];
          continue;
      }
      const container = val as object;
      let start: Literal;
      let end: Literal;
      let inner: Iterable<unknown>;
      if (container instanceof PyTuple) {
        start = LIT_TUPLE_START;
        end = container.items.length === 1 ? LIT_TUPLE_END_SV : LIT_TUPLE_END;
        inner = chainList(container.items);
      } else if (Array.isArray(container)) {
        start = LIT_LIST_START;
        end = LIT_LIST_END;
        inner = chainList(container);
      } else {
        start = LIT_DICT_START;
        end = LIT_DICT_END;
        inner = chainDict(Object.entries(container).filter(([, v]) => !droppedByJson(v)));
      }
      if (maxlevels && level >= maxlevels) {
        yield [new Text(`${start.value}...${end.value}`), it];
        continue;
      }
      if (seen.has(container)) {
        yield [new Text(`<Recursion on ${Array.isArray(container) ? 'list' : 'dict'}>`), it];
        continue;
      }
      seen.add(container);
      // Continue with the container's items, then the rest of the current iterator.
      stack.push(chain([start], inner, [new Dirty(container), end], { [Symbol.iterator]: () => it }));
      break;
    }
  }
}

function saferepr(value: unknown, maxlen: number | null, maxlevels: number): string {
  const out: string[] = [];
  const stack: Iterator<unknown>[] = [[value][Symbol.iterator]()];
  let budget = maxlen;
  for (const [token, it] of reprStream(stack, maxlevels)) {
    if (budget !== null && budget <= 0) {
      out.push(', ...');
      stack.push(it); // keep the closing brackets still pending
      break;
    }
    let text: string;
    if (token instanceof Literal) text = token.value;
    else if (token instanceof Key) text = saferepr(token.value, budget, maxlevels);
    else if (token instanceof Quoted) text = formatChars(token.value, budget);
    else text = truncate(token.value, budget);
    out.push(text);
    if (budget !== null) budget -= pyLength(text);
  }
  for (const rest of stack) {
    for (let step = rest.next(); !step.done; step = rest.next()) {
      if (step.value instanceof Literal && !step.value.truncate) out.push(step.value.value);
    }
  }
  return out.join('');
}

/** Output length below which no truncation can happen, so the fast path is exact. */
const FAST_PATH_LIMIT = 900;

/**
 * The common case on the hot path (short, shallow, JSON-plain values) written directly, in the
 * same format {@link saferepr} produces; `undefined` whenever the full port is needed
 * (long output, values JSON drops, non-plain objects, non-finite numbers).
 */
function fastRepr(value: unknown, asTuple: boolean): string | undefined {
  let out = '';
  const ancestors: object[] = [];
  const quoted = (text: string) => "'" + (text.includes("'") ? text.replace(/'/g, "\\'") : text) + "'";
  const walk = (v: unknown, depth: number): boolean => {
    if (v === null) {
      out += 'None';
    } else if (typeof v === 'string') {
      if (v.length > FAST_PATH_LIMIT) return false;
      out += quoted(v);
    } else if (typeof v === 'number') {
      if (!Number.isFinite(v)) return false;
      out += pythonNumber(v);
    } else if (typeof v === 'boolean') {
      out += v ? 'True' : 'False';
    } else if (typeof v === 'object' && ancestors.includes(v)) {
      return false; // a cycle: the full port prints `<Recursion on …>`
    } else if (Array.isArray(v)) {
      if (depth >= MAX_LEVELS) {
        out += '[...]';
      } else {
        out += '[';
        ancestors.push(v);
        for (let i = 0; i < v.length; i++) {
          if (i > 0) out += ', ';
          if (!walk(v[i], depth + 1)) return false;
        }
        ancestors.pop();
        out += ']';
      }
    } else if (typeof v === 'object') {
      const proto = Object.getPrototypeOf(v);
      if (proto !== Object.prototype && proto !== null) return false;
      if (depth >= MAX_LEVELS) {
        out += '{...}';
      } else {
        out += '{';
        ancestors.push(v);
        let first = true;
        for (const key in v) {
          const item = (v as Record<string, unknown>)[key];
          if (item === undefined || typeof item === 'function' || typeof item === 'symbol') return false;
          if (!first) out += ', ';
          first = false;
          out += quoted(key) + ': ';
          if (!walk(item, depth + 1)) return false;
        }
        ancestors.pop();
        out += '}';
      }
    } else {
      return false;
    }
    return out.length < FAST_PATH_LIMIT;
  };
  if (asTuple && Array.isArray(value)) {
    ancestors.push(value);
    out += '(';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ', ';
      if (!walk(value[i], 1)) return undefined;
    }
    out += value.length === 1 ? ',)' : ')';
    return out.length < FAST_PATH_LIMIT ? out : undefined;
  }
  return walk(value, 0) ? out : undefined;
}

/**
 * A Python-style repr of a JSON value exactly as Celery 5.2.6 writes `argsrepr`/`kwargsrepr`
 * (`saferepr(value, 1024)`). With `asTuple`, a top-level array prints as a tuple, `(1,)` for one
 * element. Used only for logs and monitoring (Flower, events).
 */
export function pythonRepr(value: unknown, asTuple = false): string {
  return fastRepr(value, asTuple) ?? pythonReprExact(value, asTuple);
}

/** @internal The full port of `saferepr`, without the fast path (used to test the fast path). */
export function pythonReprExact(value: unknown, asTuple = false): string {
  const root = asTuple && Array.isArray(value) ? new PyTuple(value) : value;
  return saferepr(root, MAX_REPR_LENGTH, MAX_LEVELS);
}

/** Python's builtin `repr` of a str: single quotes unless the text holds a single quote and no double quote. */
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
