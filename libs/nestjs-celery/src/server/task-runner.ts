import type { LoggerService } from '@nestjs/common';
import type { MessageHandler } from '@nestjs/microservices';
import { isObservable, lastValueFrom } from 'rxjs';
import type { Delivery } from '../broker/delivery.js';
import type { TaskTracker } from '../control/worker/task-tracker.js';
import { CELERY_EVENT_SUBSCRIPTION } from '../events/event-subscription.js';
import type { TaskRequest } from '../protocol/task-message.js';
import { CeleryContext } from '../runtime/celery-context.js';
import { CeleryRetry } from '../runtime/celery-retry.js';
import { unwrapHandlerError } from '../runtime/handler-error.js';
import type { TaskRateLimits } from '../runtime/task-rate-limits.js';
import { autoretryOf } from './autoretry.js';
import { CELERY_TASK_OPTIONS, type CeleryTaskOptions } from './celery-task.options.js';
import type { ConcurrencyLimiter } from './concurrency-limiter.js';
import type { EtaScheduler } from './eta-scheduler.js';
import { ServerMessages } from './server.messages.js';
import { bindTaskArguments, TaskArgumentsError, type CeleryTaskPayload } from './task-arguments.binder.js';
import type { TaskOutcome } from './task-outcome.js';
import { hasTimeLimits, TimeLimitExceededError, withTimeLimits } from './time-limits.js';

/** Runs a handler with its payload and context, inside Nest's processing hooks when any are registered. */
export type HandlerInvoker = (handler: MessageHandler, payload: unknown, ctx: CeleryContext) => Promise<unknown>;

/** What a {@link TaskRunner} needs from its worker. */
export interface TaskRunnerOptions {
  hostname: string;
  acksLate: boolean;
  trackStarted: boolean;
  logger: LoggerService;
  tracker: TaskTracker;
  outcome: TaskOutcome;
  eta: EtaScheduler;
  /** The worker's rate limits (`rateLimit` of each task, changed by the `rate_limit` control command). */
  rateLimits: TaskRateLimits;
  invoke: HandlerInvoker;
  isClosing: () => boolean;
  /** A task could not be processed (not a handler failure): the worker's `error` event. */
  onError: (error: Error) => void;
  /** Called once per accepted task when it is settled, however it ended. */
  onSettled: () => void;
}

/**
 * Runs one decoded task message the way a Celery worker does: an unknown task is refused, a
 * revoked or expired one discarded, an ETA waited for, a concurrency slot taken, then the
 * handler runs through Nest's pipeline (with time limits when set) and {@link TaskOutcome}
 * reports and settles what came of it.
 */
export class TaskRunner {
  constructor(private readonly options: TaskRunnerOptions) {}

  /** Runs the task of `delivery`; never rejects. Calls `onSettled` at the end. */
  async accept(queue: string, delivery: Delivery, request: TaskRequest, handler: MessageHandler | undefined, limiter: ConcurrencyLimiter): Promise<void> {
    const { tracker, outcome } = this.options;
    try {
      if (!handler || handler.extras?.[CELERY_EVENT_SUBSCRIPTION]) {
        await outcome.notRegistered(queue, delivery, request);
        return;
      }
      if (this.discardedAsStale(delivery, request)) return;
      tracker.reserved(request, delivery);
      if (request.eta && request.eta.getTime() > Date.now()) {
        if ((await this.options.eta.wait(queue, delivery, request.eta)) === 'parked') return;
        if (this.options.isClosing()) return;
      }
      // Celery's order: the ETA first, then the rate limit's token bucket, then a pool slot.
      const turn = this.options.rateLimits.take(request.task);
      if (turn && (await turn) === 'closed') {
        delivery.reject(true);
        return;
      }
      const slot = limiter.acquire();
      if (slot) await slot;
      try {
        await this.execute(queue, delivery, request, handler);
      } catch (error) {
        // From the early ack on, the body counts as run: whatever fails after it is reported and the
        // message settled, never requeued, so the body never runs twice for it (Celery's tracer
        // catches such errors and the request is acked). Only a crash before running requeues.
        this.options.logger.error(ServerMessages.crashedAfterRun(request.task, request.id, (error as Error).message));
        this.options.onError(error as Error);
        outcome.settle(delivery);
      } finally {
        limiter.release();
      }
    } catch (error) {
      this.options.logger.error(ServerMessages.handlerCrashed(request.task, request.id, (error as Error).message));
      this.options.onError(error as Error);
      tracker.rejected(request, true);
      delivery.reject(true);
    } finally {
      tracker.released(request);
      this.options.onSettled();
    }
  }

  /**
   * A revoked or expired task is not run (REVOKED `revoked` / `expired`, acknowledged). Asked on
   * arrival and again right before running (after an ETA hold or a wait for a free slot). True
   * when the task was discarded.
   */
  private discardedAsStale(delivery: Delivery, request: TaskRequest): boolean {
    if (this.options.tracker.isRevoked(request.id)) this.options.outcome.discarded(delivery, request, 'revoked');
    else if (request.expires && request.expires.getTime() <= Date.now()) this.options.outcome.discarded(delivery, request, 'expired');
    else return false;
    return true;
  }

  private async execute(queue: string, delivery: Delivery, request: TaskRequest, handler: MessageHandler): Promise<void> {
    const { tracker, outcome, acksLate } = this.options;
    if (this.discardedAsStale(delivery, request)) return;
    const taskOptions = handler.extras?.[CELERY_TASK_OPTIONS] as CeleryTaskOptions | undefined;
    // With late acks, a redelivered message's worker may have died running it (Celery's WorkerLostError).
    if (acksLate && taskOptions?.rejectOnWorkerLost === false && delivery.message.fields.redelivered) {
      await outcome.workerLost(delivery, request, taskOptions);
      return;
    }
    if (!acksLate) delivery.ack();
    const ctx = new CeleryContext(request, delivery.message, this.options.hostname);
    // Celery's tracer: no STARTED for a task whose result is ignored (`@task(ignore_result=True)`).
    if ((taskOptions?.trackStarted ?? this.options.trackStarted) && !taskOptions?.ignoreResult) outcome.started(request, this.options.hostname);
    tracker.started(ctx);
    let terminated = false;
    let value: unknown;
    let failed = false;
    let failure: unknown;
    try {
      value = await (hasTimeLimits(request.timeLimit, taskOptions)
        ? withTimeLimits(ctx, request.timeLimit, taskOptions, () => this.invoke(handler, request, ctx, taskOptions))
        : this.invoke(handler, request, ctx, taskOptions));
    } catch (error) {
      failed = true;
      failure = error instanceof TimeLimitExceededError ? error : unwrapHandlerError(error, ctx);
      if (!(failure instanceof CeleryRetry)) failure = autoretryOf(failure, taskOptions, request.retries) ?? failure;
    } finally {
      terminated = tracker.finished(ctx);
    }
    if (terminated) outcome.terminated(delivery, request);
    else if (!failed) {
      // only follow-ups or a result that cannot be encoded make this asynchronous: no extra tick otherwise
      const pending = outcome.succeeded(delivery, request, taskOptions, value);
      if (pending) await pending;
    } else if (failure instanceof CeleryRetry) await outcome.retried(queue, delivery, request, ctx, taskOptions, failure);
    else await outcome.failed(queue, delivery, request, failure, taskOptions);
  }

  /** Binds the arguments and runs the handler (not async: returning the handler's promise from an async function would cost extra ticks). */
  private invoke(handler: MessageHandler, request: TaskRequest, ctx: CeleryContext, taskOptions: CeleryTaskOptions | undefined): Promise<unknown> {
    return this.options.invoke(handler, taskPayload(request, taskOptions), ctx);
  }
}

/** The handler's payload: arguments bound to `params`; with `typing: false` a call that does not fit is passed as sent. */
function taskPayload(request: TaskRequest, taskOptions: CeleryTaskOptions | undefined): CeleryTaskPayload {
  if (taskOptions?.typing !== false) return bindTaskArguments(request.task, request.args, request.kwargs, taskOptions);
  try {
    return bindTaskArguments(request.task, request.args, request.kwargs, taskOptions);
  } catch (error) {
    if (error instanceof TaskArgumentsError) return { args: request.args, kwargs: request.kwargs };
    throw error;
  }
}

/** Calls a task handler and waits for its value (a retry request kept by `CeleryErrorInterceptor` is thrown). */
export async function runTaskHandler(handler: MessageHandler, payload: unknown, ctx: CeleryContext): Promise<unknown> {
  const produced = await handler(payload, ctx);
  const output = isObservable(produced) ? await lastValueFrom(produced, { defaultValue: null }) : produced;
  const retry = ctx.capturedError?.error;
  if (retry instanceof CeleryRetry) throw retry;
  return output === undefined ? null : output;
}
