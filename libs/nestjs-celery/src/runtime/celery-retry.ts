/** Options of a handler-initiated retry (`self.retry()` in Python). */
export interface RetryOptions {
  /** Seconds to wait before the next attempt. Default: the task's `defaultRetryDelay` (180 s). */
  countdown?: number;
  /** Time of the next attempt (instead of countdown). */
  eta?: Date;
  /** The error that caused the retry, reported in the RETRY result and raised once retries run out. */
  exc?: unknown;
  /** Overrides the task's `maxRetries` for this call; `null` means no limit. */
  maxRetries?: number | null;
}

/**
 * Thrown by a handler (`throw ctx.retry({ countdown: 5 })`) to run the task again later with the
 * same id and `retries + 1`, following Celery's retry protocol.
 */
export class CeleryRetry extends Error {
  override readonly name = 'Retry';

  constructor(readonly options: RetryOptions = {}) {
    super(
      `Retry in ${options.eta ? options.eta.toISOString() : options.countdown !== undefined ? `${options.countdown}s` : 'the default delay'}` +
        (options.exc instanceof Error ? `: ${options.exc.name}('${options.exc.message}')` : ''),
    );
  }
}

/** Raised when a task asks to retry more often than its `maxRetries` allows and gave no `exc`. */
export class MaxRetriesExceededError extends Error {
  override readonly name = 'MaxRetriesExceededError';
  readonly excModule = 'celery.exceptions';
}
