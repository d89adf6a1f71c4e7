import { toExceptionInfo } from '../protocol/exception-info.js';
import { CeleryRetry } from '../runtime/celery-retry.js';
import type { CeleryTaskOptions, ErrorMatcher } from './celery-task.options.js';
import { TimeLimitExceededError } from './time-limits.js';

/** Celery's default `retry_backoff_max`, in seconds. */
export const DEFAULT_RETRY_BACKOFF_MAX = 600;

/**
 * Celery's `celery/utils/time.py: get_exponential_backoff_interval`: `min(maximum, factor * 2 ** retries)`,
 * with full jitter a random integer from 0 to that (Python's `random.randrange(countdown + 1)`), never negative.
 */
export function exponentialBackoffInterval(factor: number, retries: number, maximum: number, fullJitter = false, random: () => number = Math.random): number {
  let countdown = Math.min(maximum, factor * 2 ** retries);
  if (fullJitter) countdown = Math.floor(random() * (Math.floor(countdown) + 1));
  return Math.max(0, countdown);
}

function matches(error: unknown, matcher: ErrorMatcher): boolean {
  if (typeof matcher === 'function') return error instanceof matcher;
  if (matcher === 'Exception' || matcher === 'BaseException') return true;
  if (error instanceof Error && error.name === matcher) return true;
  return toExceptionInfo(error).exc_type === matcher;
}

/**
 * The automatic retry of a task that threw `error` (Celery's `app/autoretry.py`), or undefined
 * when its options do not ask for one: `autoretryFor` matches and `dontAutoretryFor` does not.
 * The countdown follows Celery 5.3+: with `retryBackoff` (true = 1, else the number) the factor is
 * `int(max(1, retryBackoff))` and the countdown `exponentialBackoffInterval(factor, retries,
 * int(retryBackoffMax), retryJitter)`; without it the retry waits `retryKwargs.countdown`, else
 * `defaultRetryDelay`; `retryKwargs.maxRetries` replaces the task's `maxRetries`. A hard time
 * limit is never retried (in Celery it kills the process, outside the task's `run`).
 */
export function autoretryOf(error: unknown, options: CeleryTaskOptions | undefined, retries: number, random?: () => number): CeleryRetry | undefined {
  const autoretryFor = options?.autoretryFor;
  if (!options || !autoretryFor?.length || error instanceof CeleryRetry || error instanceof TimeLimitExceededError) return undefined;
  if (!autoretryFor.some((m) => matches(error, m))) return undefined;
  if (options.dontAutoretryFor?.some((m) => matches(error, m))) return undefined;
  const backoff = Number(options.retryBackoff ?? false);
  if (!backoff) return new CeleryRetry({ ...options.retryKwargs, exc: error });
  const countdown = exponentialBackoffInterval(
    Math.trunc(Math.max(1, backoff)),
    retries,
    Math.trunc(options.retryBackoffMax ?? DEFAULT_RETRY_BACKOFF_MAX),
    options.retryJitter ?? true,
    random,
  );
  return new CeleryRetry({ ...options.retryKwargs, exc: error, countdown });
}
