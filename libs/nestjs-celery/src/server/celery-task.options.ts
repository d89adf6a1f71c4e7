/** Per-task options of `@CeleryTask(name, options)`, named after Celery's task attributes. */
export interface CeleryTaskOptions {
  /**
   * The task's Python-style parameter list, used to bind keyword arguments to positions the way
   * Python does: `['x', 'y']`, optional ones with `?` (`'y?'`), `'*rest'` and `'**kwargs'`.
   * A call that does not fit fails with `TypeError`, like a Python worker. Without it, the handler
   * receives args and kwargs as sent.
   */
  params?: string[];
  /** Retries allowed through `ctx.retry()`. Default 3 (Celery's `max_retries`); `null` = unlimited. */
  maxRetries?: number | null;
  /** Seconds before a retry when `ctx.retry()` gives none. Default 180 (Celery's `default_retry_delay`). */
  defaultRetryDelay?: number;
  /** Never send a SUCCESS result for this task. Default false. */
  ignoreResult?: boolean;
  /** Hard time limit in seconds: the task fails with `TimeLimitExceeded` (the message header wins). */
  timeLimit?: number;
  /** Soft time limit in seconds: `ctx.signal` is aborted so the handler can stop. */
  softTimeLimit?: number;
}

/** Metadata key under which `@CeleryTask` stores its options in the handler's extras. */
export const CELERY_TASK_OPTIONS = 'celery:task-options';
