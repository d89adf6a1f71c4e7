import { bytesMarker, dateMarker, pythonValueMarker } from './celery-json.markers.js';
import { PythonValue } from './celery-json.python-value.js';
import { pythonStringRepr } from './python-repr.js';

/** Python's module for the error kombu raises when a value cannot be serialized. */
const KOMBU_EXCEPTIONS_MODULE = 'kombu.exceptions';

/**
 * A value could not be written as Celery JSON (a `BigInt`, a `Set`, binary data, a function,
 * a circular reference...). It travels as kombu's `EncodeError`, the exception a Python
 * worker reports for a result its JSON serializer refuses, with the same argument shape:
 * `TypeError('Object of type set is not JSON serializable')`, plus where the value was.
 */
export class CeleryEncodeError extends Error {
  override readonly name = 'CeleryEncodeError';
  /** Python identity for the FAILURE result: `kombu.exceptions.EncodeError`. */
  readonly excType = 'EncodeError';
  readonly excModule = KOMBU_EXCEPTIONS_MODULE;
  /** One argument, as Celery sends it: the repr of the underlying `TypeError`/`ValueError`. */
  readonly excArgs: string[];

  constructor(
    /** Where the value was, e.g. `result.tags` or `args[0].at`. */
    readonly path: string,
    /** What it was, e.g. `Object of type Set is not JSON serializable`. */
    readonly reason: string,
    hint: string,
    pythonType = 'TypeError',
  ) {
    super(`cannot write ${path} as JSON: ${reason}; ${hint}`);
    this.excArgs = [`${pythonType}(${pythonStringRepr(`${reason} (at ${path})`)})`];
  }
}

/** Why one value failed; the path is filled in on the way out of the walk. */
class Unencodable {
  readonly keys: (string | number)[] = [];
  constructor(
    readonly reason: string,
    readonly hint: string,
    readonly pythonType = 'TypeError',
  ) {}
}

const TO_STRING_HINT = 'convert it to a number, string, array or plain object first';

function notSerializable(type: string, hint: string = TO_STRING_HINT): Unencodable {
  return new Unencodable(`Object of type ${type} is not JSON serializable`, hint);
}

/** Built-in objects whose own properties are not their data: JSON would write `{}` for them. */
function refusedObject(value: object): Unencodable | undefined {
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer || (typeof SharedArrayBuffer !== 'undefined' && value instanceof SharedArrayBuffer)) {
    const type = Buffer.isBuffer(value) ? 'Buffer' : value.constructor?.name || 'ArrayBuffer';
    return notSerializable(type, "send binary data as a string, e.g. buffer.toString('base64'), or enable jsonTypeMarkers for a Celery 5.3+ peer (kombu 5.2's JSON refuses bytes too)");
  }
  if (value instanceof Set) return notSerializable('Set', 'send an array, e.g. [...set] (kombu\'s JSON refuses a Python set too)');
  if (value instanceof Error) return notSerializable(value.name || 'Error', 'send its message or fields, or throw it to fail the task');
  if (value instanceof Promise) return notSerializable('Promise', 'await it first');
  if (value instanceof RegExp) return notSerializable('RegExp', 'send its source string');
  if (value instanceof WeakMap || value instanceof WeakSet || value instanceof WeakRef) return notSerializable(value.constructor.name);
  return undefined;
}

/** A Map key as Python's `json.dumps` writes a dict key: strings as they are, numbers and booleans as text. */
function mapKey(key: unknown): string | Unencodable {
  if (typeof key === 'string') return key;
  if (typeof key === 'number' || typeof key === 'boolean') return String(key);
  return new Unencodable(`Map keys must be str, int, float or bool, not ${key === null ? 'null' : typeof key}`, 'use string or number keys');
}

/**
 * Cycles are looked for only below this depth: plain data is walked without tracking its
 * ancestors (which would double the walk's cost), and a walk that goes deeper (a cycle, or
 * deeply nested data) starts over with tracking.
 */
const UNTRACKED_DEPTH = 64;

/** Thrown by an untracked walk that went deeper than {@link UNTRACKED_DEPTH}. */
const TOO_DEEP = Symbol('too deep');

/** The ancestors of the value being walked, once tracking started; undefined until then. */
type Ancestors = Set<object> | undefined;

/** How the walk writes what kombu 5.2 and kombu ≥ 5.3 write differently. */
interface Mode {
  /** Write kombu ≥ 5.3's type markers for `Date`, binary data and {@link PythonValue}. */
  markers: boolean;
}

/** Sets `target[key]` even for `__proto__` (a plain assignment would change the prototype). */
function define(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

/**
 * Returns `value` as data `JSON.stringify` writes faithfully, or throws {@link Unencodable}.
 * Unchanged values are returned as they are (the same reference), so plain data is never copied.
 */
function toData(value: unknown, key: string, ancestors: Ancestors, depth: number, mode: Mode): unknown {
  switch (typeof value) {
    case 'string':
    case 'number':
    case 'boolean':
    case 'undefined':
      return value;
    case 'bigint':
      throw notSerializable('BigInt', 'send a number, or a string for values beyond 2**53 (String(n))');
    case 'function':
      throw notSerializable('function', 'leave it out, or send what it computes');
    case 'symbol':
      throw notSerializable('symbol', 'send a string');
  }
  if (value === null) return null;
  const object = value as object;
  if (ancestors) {
    if (ancestors.has(object)) throw new Unencodable('Circular reference detected', 'send a tree: break the cycle or send ids', 'ValueError');
  } else if (depth > UNTRACKED_DEPTH) {
    throw TOO_DEEP;
  }
  if (Array.isArray(object)) return arrayData(object, ancestors, depth, mode);
  const prototype: unknown = Object.getPrototypeOf(object);
  if (prototype !== Object.prototype && prototype !== null) {
    if (object instanceof Date) {
      if (Number.isNaN(object.getTime())) throw new Unencodable('Invalid Date is not JSON serializable', 'send a valid Date or null', 'ValueError');
      return mode.markers ? dateMarker(object) : object.toISOString();
    }
    if (object instanceof PythonValue) return mode.markers ? pythonValueMarker(object) : object.toJSON();
    if (mode.markers && object instanceof Uint8Array) return bytesMarker(object);
    if (object instanceof Map) return mapData(object, ancestors, depth, mode);
    const refused = refusedObject(object);
    if (refused) throw refused;
    if (object instanceof Number || object instanceof String || object instanceof Boolean) return object.valueOf();
  }
  const toJSON = (object as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') {
    const json: unknown = (toJSON as (key: string) => unknown).call(object, key);
    if (json !== object) {
      ancestors?.add(object);
      const data = toData(json, key, ancestors, depth + 1, mode);
      ancestors?.delete(object);
      return data;
    }
  }
  return objectData(object as Record<string, unknown>, ancestors, depth, mode);
}

function arrayData(array: unknown[], ancestors: Ancestors, depth: number, mode: Mode): unknown[] {
  ancestors?.add(array);
  let copy: unknown[] | undefined;
  for (let i = 0; i < array.length; i++) {
    const item = array[i];
    let data: unknown;
    try {
      data = toData(item, String(i), ancestors, depth + 1, mode);
    } catch (error) {
      if (error instanceof Unencodable) error.keys.push(i);
      throw error;
    }
    if (copy) copy.push(data);
    else if (data !== item) (copy = array.slice(0, i)).push(data);
  }
  ancestors?.delete(array);
  return copy ?? array;
}

/** A plain object or a class instance: its own enumerable properties, as `JSON.stringify` writes them. */
function objectData(object: Record<string, unknown>, ancestors: Ancestors, depth: number, mode: Mode): unknown {
  ancestors?.add(object);
  const keys = Object.keys(object);
  let copy: Record<string, unknown> | undefined;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    const item = object[key];
    let data: unknown;
    try {
      data = toData(item, key, ancestors, depth + 1, mode);
    } catch (error) {
      if (error instanceof Unencodable) error.keys.push(key);
      throw error;
    }
    if (!copy && data !== item) {
      copy = {};
      for (let j = 0; j < i; j++) define(copy, keys[j]!, object[keys[j]!]);
    }
    if (copy) define(copy, key, data);
  }
  ancestors?.delete(object);
  // A class instance is written as a plain object of its data either way.
  return copy ?? object;
}

function mapData(map: Map<unknown, unknown>, ancestors: Ancestors, depth: number, mode: Mode): Record<string, unknown> {
  ancestors?.add(map);
  const out: Record<string, unknown> = {};
  for (const [rawKey, item] of map) {
    const key = mapKey(rawKey);
    if (key instanceof Unencodable) throw key;
    try {
      define(out, key, toData(item, key, ancestors, depth + 1, mode));
    } catch (error) {
      if (error instanceof Unencodable) error.keys.push(key);
      throw error;
    }
  }
  ancestors?.delete(map);
  return out;
}

/** Longest key shown in a path. */
const MAX_KEY_SHOWN = 40;

/** `root.a[0].b` for keys collected innermost first. */
function pathOf(root: string, keys: (string | number)[]): string {
  let path = root;
  for (let i = keys.length - 1; i >= 0; i--) {
    const key = keys[i]!;
    // long keys are cut so the error (and its log line) stays bounded
    const shown = typeof key === 'string' && key.length > MAX_KEY_SHOWN ? `${key.slice(0, MAX_KEY_SHOWN)}…` : key;
    path += typeof shown === 'number' ? `[${shown}]` : /^[A-Za-z_$][\w$]*$/.test(shown) ? `.${shown}` : `[${JSON.stringify(shown)}]`;
  }
  return path;
}

/** Options of {@link toCeleryJsonData}. */
export interface CeleryJsonOptions {
  /**
   * Write kombu ≥ 5.3's JSON type markers, which a Celery 5.3+ peer decodes to Python types: a
   * `Date` as a `datetime`, a `Buffer`/`Uint8Array` as `bytes`, a {@link PythonValue} as its
   * `Decimal`, `UUID`, `date` or `time`. Default false: what kombu 5.2 writes (a `Date` as its
   * ISO string, a {@link PythonValue} as its string, binary data refused), which every Celery 5 reads.
   */
  typeMarkers?: boolean;
}

const PLAIN: Mode = { markers: false };
const MARKERS: Mode = { markers: true };

/**
 * `value` as the data Celery JSON carries, by one rule per kind (see docs/guide-errors-and-values.md):
 * a `Date` becomes its ISO 8601 string (a `datetime` marker with `typeMarkers`), a `Map` an object, a class instance its own enumerable
 * properties (or what its `toJSON()` returns), `undefined` is left for JSON to drop (`null` in
 * an array). What kombu's JSON encoder refuses for the Python equivalent (sets, bytes, other
 * objects) and what JSON cannot hold (`BigInt`, functions, symbols, cycles) throws
 * {@link CeleryEncodeError} naming the path, instead of being silently lost.
 * Plain JSON data is returned as it is, without copying.
 * @param root name of the value in the error's path, e.g. `result`, `args`
 */
export function toCeleryJsonData(value: unknown, root: string, options: CeleryJsonOptions = {}): unknown {
  const mode = options.typeMarkers ? MARKERS : PLAIN;
  try {
    try {
      return toData(value, '', undefined, 0, mode);
    } catch (error) {
      if (error !== TOO_DEEP) throw error;
      return toData(value, '', new Set(), 0, mode);
    }
  } catch (error) {
    if (error instanceof Unencodable) throw new CeleryEncodeError(pathOf(root, error.keys), error.reason, error.hint, error.pythonType);
    if (error instanceof RangeError && /call stack/.test(error.message)) throw new CeleryEncodeError(root, 'value is nested too deeply to encode', 'send a flatter structure', 'RecursionError');
    // A throwing toJSON() or getter: kombu wraps whatever its encoder raises in EncodeError too.
    const thrown = error instanceof Error ? error : new Error(String(error));
    const message = thrown.message.length > 200 ? `${thrown.message.slice(0, 200)}…` : thrown.message;
    throw new CeleryEncodeError(root, `${thrown.name}: ${message}`, 'fix the toJSON() or getter that threw', thrown.name);
  }
}

/** `JSON.stringify` of {@link toCeleryJsonData}: throws {@link CeleryEncodeError} for what Celery JSON cannot carry. */
export function stringifyCeleryJson(value: unknown, root: string, options: CeleryJsonOptions = {}): string {
  return JSON.stringify(toCeleryJsonData(value, root, options)) ?? 'null';
}
