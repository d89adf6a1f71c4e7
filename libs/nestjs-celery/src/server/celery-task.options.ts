import { InvalidTaskRateError, parseTaskRate, type TaskRate } from '../runtime/task-rate.js';

/** An error class (`instanceof`) or a Python exception name (`'ValueError'`; `'Exception'` matches every error). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ErrorMatcher = (abstract new (...args: any[]) => unknown) | string;

/** Per-task options of `@CeleryTask(name, options)`, named after Celery's task attributes. */
export interface CeleryTaskOptions {
  /**
   * The task's Python-style parameter list, used to bind keyword arguments to positions the way
   * Python does: `['x', 'y']`, optional ones with `?` (`'y?'`), `'*rest'` and `'**kwargs'`.
   * A call that does not fit fails with `TypeError`, like a Python worker. Without it, the handler
   * receives args and kwargs as sent.
   */
  params?: string[];
  /**
   * Check calls against `params` (Celery's `typing`). Default true. False: keyword arguments are
   * still bound to positions where they fit, but a call that does not fit reaches the handler as
   * sent instead of failing with `TypeError`.
   */
  typing?: boolean;
  /** Retries allowed through `ctx.retry()` and `autoretryFor`. Default 3 (Celery's `max_retries`); `null` = unlimited. */
  maxRetries?: number | null;
  /** Seconds before a retry when `ctx.retry()` gives none (and no `retryBackoff`). Default 180 (Celery's `default_retry_delay`). */
  defaultRetryDelay?: number;
  /**
   * Rate limit of this task on each worker (Celery's `rate_limit`): `'100/s'`, `'10/m'`, `'5/h'`
   * or a number per second. A token bucket without bursts: messages beyond the rate wait on the
   * worker (received, unacknowledged) until their turn. Changeable at run time with Celery's
   * `rate_limit` control command (`celery control rate_limit <task> <rate>`, `client.control.rateLimit()`).
   */
  rateLimit?: TaskRate;
  /**
   * Retry automatically when the handler throws one of these (Celery's `autoretry_for`): error
   * classes or Python exception names (`'ValueError'`, `'Exception'` for any error). The retry
   * counts against `maxRetries`; once they are used up the task fails with the last error.
   */
  autoretryFor?: ErrorMatcher[];
  /** Errors never retried automatically, even when `autoretryFor` matches (Celery 5.3+'s `dont_autoretry_for`). */
  dontAutoretryFor?: ErrorMatcher[];
  /**
   * Exponential backoff of automatic retries (Celery's `retry_backoff`): `true` = factor 1, a
   * number = that factor in seconds; countdown `min(retryBackoffMax, factor * 2 ** retries)`, then
   * jittered. Default false: retries wait `defaultRetryDelay`.
   */
  retryBackoff?: boolean | number;
  /** Longest backoff in seconds (Celery's `retry_backoff_max`). Default 600. */
  retryBackoffMax?: number;
  /** Full jitter: a random countdown from 0 to the backoff (Celery's `retry_jitter`). Default true. */
  retryJitter?: boolean;
  /**
   * Options of every automatic retry (Celery's `retry_kwargs`): `countdown` (seconds; `retryBackoff`
   * replaces it) and `maxRetries` (instead of the task's `maxRetries`, for automatic retries).
   */
  retryKwargs?: { countdown?: number; maxRetries?: number | null };
  /** Never send a result for this task: no STARTED, no SUCCESS, and no RETRY or FAILURE unless `storeErrorsEvenIfIgnored`. Default false. */
  ignoreResult?: boolean;
  /** With `ignoreResult`, still send RETRY and FAILURE states (Celery's `store_errors_even_if_ignored`). Default false. */
  storeErrorsEvenIfIgnored?: boolean;
  /** Send STARTED before running this task (Celery's `track_started`). Default: the worker's `trackStarted`. */
  trackStarted?: boolean;
  /**
   * With late acks (the default), acknowledge the message of a task that failed or hit its time
   * limit (Celery's `acks_on_failure_or_timeout`). Default true. False: after the FAILURE is
   * reported the message is rejected without requeue, to the worker's dead-letter exchange
   * (with a reason header) when it has one.
   */
  acksOnFailureOrTimeout?: boolean;
  /**
   * Run a task again when the worker that had it was lost (Celery's `reject_on_worker_lost`).
   * Default true: with late acks a message whose worker died before acknowledging it is
   * redelivered and runs again (at least once). False: a redelivered message of this task is not
   * run; it is reported FAILURE `WorkerLostError` and acknowledged (at most once). RabbitMQ marks
   * a message redelivered whenever a consumer had it unacknowledged, so one that a stopping
   * worker handed back before running it (prefetched, waiting for its ETA or rate limit) fails too.
   */
  rejectOnWorkerLost?: boolean;
  /** Hard time limit in seconds: the task fails with `TimeLimitExceeded` (the message header wins). */
  timeLimit?: number;
  /** Soft time limit in seconds: `ctx.signal` is aborted so the handler can stop. */
  softTimeLimit?: number;
}

/** Metadata key under which `@CeleryTask` stores its options in the handler's extras. */
export const CELERY_TASK_OPTIONS = 'celery:task-options';

function nonNegative(task: string, option: string, value: unknown): void {
  if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value) || value < 0)) {
    throw new TypeError(`@CeleryTask('${task}'): option '${option}' must be a number >= 0, got ${String(value)}`);
  }
}

function matchers(task: string, option: string, value: unknown): void {
  if (value === undefined) return;
  if (!Array.isArray(value) || value.some((m) => typeof m !== 'function' && (typeof m !== 'string' || m === ''))) {
    throw new TypeError(`@CeleryTask('${task}'): option '${option}' must be an array of error classes or exception names`);
  }
}

/** Checks the options of `@CeleryTask(task, options)` when the decorator runs; throws a `TypeError` naming the bad option. */
export function validateCeleryTaskOptions(task: string, options: CeleryTaskOptions): void {
  try {
    parseTaskRate(options.rateLimit);
  } catch (error) {
    if (!(error instanceof InvalidTaskRateError)) throw error;
    throw new TypeError(`@CeleryTask('${task}'): option 'rateLimit' must be like '100/s', '10/m' or '5/h', got ${JSON.stringify(options.rateLimit)} (${error.message})`);
  }
  matchers(task, 'autoretryFor', options.autoretryFor);
  matchers(task, 'dontAutoretryFor', options.dontAutoretryFor);
  if (options.retryBackoff !== undefined && typeof options.retryBackoff !== 'boolean') nonNegative(task, 'retryBackoff', options.retryBackoff);
  nonNegative(task, 'retryBackoffMax', options.retryBackoffMax);
  nonNegative(task, 'defaultRetryDelay', options.defaultRetryDelay);
  nonNegative(task, 'timeLimit', options.timeLimit);
  nonNegative(task, 'softTimeLimit', options.softTimeLimit);
  if (options.maxRetries !== undefined && options.maxRetries !== null) nonNegative(task, 'maxRetries', options.maxRetries);
  retryKwargs(task, options.retryKwargs);
}

function retryKwargs(task: string, value: unknown): void {
  if (value === undefined) return;
  const keys = typeof value === 'object' && value !== null && !Array.isArray(value) ? Object.keys(value) : undefined;
  const unknown = keys?.filter((key) => key !== 'countdown' && key !== 'maxRetries');
  if (!keys || unknown!.length > 0) {
    throw new TypeError(`@CeleryTask('${task}'): option 'retryKwargs' takes { countdown?, maxRetries? }, got ${JSON.stringify(value)}`);
  }
  const { countdown, maxRetries } = value as { countdown?: number; maxRetries?: number | null };
  nonNegative(task, 'retryKwargs.countdown', countdown);
  if (maxRetries !== undefined && maxRetries !== null) nonNegative(task, 'retryKwargs.maxRetries', maxRetries);
}
