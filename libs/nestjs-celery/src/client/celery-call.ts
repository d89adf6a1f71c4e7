import { CeleryInvalidCallError } from '../producer/producer.errors.js';
import type { SendTaskOptions } from '../producer/send-task.options.js';

/**
 * One task call spelled out, like Celery's `apply_async(args, kwargs, **options)`: what a
 * `CeleryClientProxy` sends when `data` needs keyword and positional arguments, or send options.
 * Build it with {@link celeryCall}.
 */
export class CeleryCall {
  constructor(
    /** Positional arguments (`args`). */
    readonly args: unknown[] = [],
    /** Keyword arguments (`kwargs`). */
    readonly kwargs: Record<string, unknown> = {},
    /** Send options (queue, countdown, priority, headers, …) as for `CeleryClient.sendTask`. */
    readonly options: SendTaskOptions = {},
  ) {}
}

/**
 * `data` for `CeleryClientProxy.send()`/`emit()` with args, kwargs and send options at once:
 * `proxy.send('billing.sync.invoice', celeryCall([42], { draft: true }, { countdown: 5 }))`.
 */
export function celeryCall(args: unknown[] = [], kwargs: Record<string, unknown> = {}, options: SendTaskOptions = {}): CeleryCall {
  return new CeleryCall(args, kwargs, options);
}

/** A call's parts after {@link toCeleryCall}. */
export interface CeleryCallParts {
  args: unknown[];
  kwargs: Record<string, unknown>;
  options: SendTaskOptions;
}

/** True for `{}` literals, `JSON.parse` objects and `Object.create(null)`: not arrays or class instances. */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object') return `an instance of ${(value as object).constructor?.name ?? 'an unknown class'}`;
  return `a ${typeof value}`;
}

/**
 * Maps a ClientProxy `(pattern, data)` to a Celery call:
 * - the pattern is the task name (a non-empty string);
 * - an array is the positional arguments (`delay(*data)`);
 * - a plain object is the keyword arguments (`delay(**data)`);
 * - a {@link CeleryCall} gives args, kwargs and options explicitly.
 * Anything else (a string, a number, a class instance such as a DTO or a `Date`) is ambiguous and
 * refused: wrap it in an array to pass it as one positional argument.
 * @throws CeleryInvalidCallError for any other pattern or data (nothing is sent)
 */
export function toCeleryCall(pattern: unknown, data: unknown): CeleryCallParts & { name: string } {
  if (typeof pattern !== 'string' || pattern === '') {
    throw new CeleryInvalidCallError(
      `a Celery ClientProxy pattern must be the task name as a non-empty string (e.g. 'billing.sync.invoice'), got ${JSON.stringify(pattern) ?? String(pattern)}`,
    );
  }
  if (Array.isArray(data)) return { name: pattern, args: data, kwargs: {}, options: {} };
  if (data instanceof CeleryCall) {
    if (!Array.isArray(data.args)) throw new CeleryInvalidCallError(`celeryCall() args of task '${pattern}' must be an array`);
    if (!isPlainObject(data.kwargs)) throw new CeleryInvalidCallError(`celeryCall() kwargs of task '${pattern}' must be a plain object`);
    if (!isPlainObject(data.options)) throw new CeleryInvalidCallError(`celeryCall() options of task '${pattern}' must be a plain object`);
    return { name: pattern, args: data.args, kwargs: data.kwargs, options: data.options };
  }
  if (isPlainObject(data)) return { name: pattern, args: [], kwargs: data, options: {} };
  throw new CeleryInvalidCallError(
    `data for task '${pattern}' must be an array (positional args), a plain object (kwargs) or celeryCall(args, kwargs, options); got ${describe(data)}. Wrap a single value in an array: [value]`,
  );
}
