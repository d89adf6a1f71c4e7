import type { TimeLimit } from '../protocol/task-message.js';
import type { CeleryContext } from '../runtime/celery-context.js';
import type { CeleryTaskOptions } from './celery-task.options.js';

/** The hard time limit passed (Celery's `billiard.exceptions.TimeLimitExceeded`). */
export class TimeLimitExceededError extends Error {
  override readonly name = 'TimeLimitExceeded';
  readonly excModule = 'billiard.exceptions';
  readonly excArgs: unknown[];

  constructor(readonly seconds: number) {
    super(`TimeLimitExceeded(${seconds})`);
    this.excArgs = [seconds];
  }
}

/** The soft time limit passed; set as the reason of `ctx.signal` (Celery's `SoftTimeLimitExceeded`). */
export class SoftTimeLimitExceededError extends Error {
  override readonly name = 'SoftTimeLimitExceeded';
  readonly excModule = 'billiard.exceptions';
  readonly excArgs: unknown[] = [];
}

/** True when the task has a hard or soft time limit (the message's `timelimit` header or the task options). */
export function hasTimeLimits(header: TimeLimit, options: CeleryTaskOptions | undefined): boolean {
  return (header[0] ?? options?.timeLimit ?? header[1] ?? options?.softTimeLimit ?? null) !== null;
}

/**
 * Runs `work` under the task's time limits: the message's `timelimit` header `[hard, soft]`
 * wins over the task options. The soft limit aborts `ctx.signal`; the hard limit fails the task
 * with {@link TimeLimitExceededError} (JavaScript cannot kill the handler: it is left to finish).
 */
export function withTimeLimits<T>(
  ctx: CeleryContext,
  header: TimeLimit,
  options: CeleryTaskOptions | undefined,
  work: () => Promise<T>,
): Promise<T> {
  const hard = header[0] ?? options?.timeLimit ?? null;
  const soft = header[1] ?? options?.softTimeLimit ?? null;
  // No limits (the common case): no timers and no extra promise around the task.
  if (hard === null && soft === null) return work();
  return withTimers(ctx, hard, soft, work);
}

async function withTimers<T>(ctx: CeleryContext, hard: number | null, soft: number | null, work: () => Promise<T>): Promise<T> {
  const timers: NodeJS.Timeout[] = [];
  try {
    if (soft !== null) timers.push(setTimeout(() => ctx.cancel(new SoftTimeLimitExceededError()), soft * 1000));
    if (hard === null) return await work();
    return await Promise.race([
      work(),
      new Promise<never>((_, reject) => {
        timers.push(
          setTimeout(() => {
            ctx.cancel(new TimeLimitExceededError(hard));
            reject(new TimeLimitExceededError(hard));
          }, hard * 1000),
        );
      }),
    ]);
  } finally {
    for (const timer of timers) clearTimeout(timer);
  }
}
