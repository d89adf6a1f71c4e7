import type { LoggerService } from '@nestjs/common';
import type { Delivery } from '../broker/delivery.js';
import type { RevokeReason, TaskTracker } from '../control/worker/task-tracker.js';
import { CeleryState } from '../protocol/celery-state.js';
import { CeleryEncodeError, toCeleryJsonData } from '../protocol/celery-json.encoder.js';
import { speaksTypeMarkers } from '../protocol/celery-json.markers.js';
import { toExceptionInfo, toTraceback } from '../protocol/exception-info.js';
import { resultTuple } from '../protocol/result-message.js';
import type { TaskRequest } from '../protocol/task-message.js';
import type { CeleryContext } from '../runtime/celery-context.js';
import { MaxRetriesExceededError, type CeleryRetry } from '../runtime/celery-retry.js';
import type { DeadLetterPublisher } from '../runtime/dead-letter.publisher.js';
import type { CeleryTaskOptions } from './celery-task.options.js';
import { nestExceptionArgs } from './nest-exception.args.js';
import { WorkerLostError } from './worker-lost.error.js';
import { ServerMessages } from './server.messages.js';
import type { ResultReporter } from './result-reporter.js';
import type { WorkflowPublisher } from './workflow.publisher.js';

/** Settlement of a message acknowledged before its task ran: nothing left to do. */
const noSettle = (): void => undefined;

/**
 * What happens after a task ran (or was turned away), like Celery's `app/trace.py`: the result
 * state reported to the caller (SUCCESS, FAILURE, RETRY, REVOKED), the follow-ups sent (chain
 * steps, callbacks, errbacks, the retry), the task event, and the message settled (acknowledged
 * when acks are late; with early acks it was acknowledged before running).
 */
export class TaskOutcome {
  constructor(
    private readonly reporter: ResultReporter,
    private readonly workflow: WorkflowPublisher,
    private readonly refusals: DeadLetterPublisher,
    private readonly tracker: TaskTracker,
    private readonly acksLate: boolean,
    private readonly logger: LoggerService,
  ) {}

  /** STARTED (with `trackStarted`), with the worker's pid and name as Celery reports them. */
  started(request: TaskRequest, hostname: string): void {
    this.reporter.report(request, CeleryState.STARTED, { pid: process.pid, hostname });
  }

  /** Acknowledges a task that ran (or was terminated) when acks are late; with early acks it was acked before running. */
  settle(delivery: Delivery): void {
    if (this.acksLate) delivery.ack();
  }

  /** A task no handler is registered for: FAILURE `NotRegistered`, errbacks, then dead-lettered once. */
  async notRegistered(queue: string, delivery: Delivery, request: TaskRequest): Promise<void> {
    this.tracker.notRegistered(request);
    this.reporter.notRegistered(request);
    await this.workflow.followFailure(request).catch(() => undefined);
    await this.refusals.deadLetter(queue, delivery, 'not-registered', `unregistered task '${request.task}'`, (action) =>
      ServerMessages.unregistered(request.task, action),
    );
  }

  /** A revoked or expired task that is not run: REVOKED, acknowledged (Celery's `Request.revoked()`). */
  discarded(delivery: Delivery, request: TaskRequest, reason: Exclude<RevokeReason, 'terminated'>): void {
    this.tracker.discarded(request, reason);
    this.reporter.revoked(request, reason);
    delivery.ack();
  }

  /** A task `revoke(terminate=True)` stopped while it ran: REVOKED `terminated`. */
  terminated(delivery: Delivery, request: TaskRequest): void {
    this.reporter.revoked(request, 'terminated');
    this.settle(delivery);
  }

  /** The task returned `value`: follow-ups first when it has any, then SUCCESS (not async unless it must be: no extra tick per task). */
  succeeded(delivery: Delivery, request: TaskRequest, taskOptions: CeleryTaskOptions | undefined, value: unknown): Promise<void> | void {
    const { callbacks, chain } = request.embed;
    if (callbacks?.length || chain?.length) return this.succeedWithFollowUps(delivery, request, taskOptions, value);
    return this.succeed(delivery, request, taskOptions, value, []);
  }

  /** The task threw: FAILURE, the chain marked failed, errbacks sent, settled (see {@link settleFailure}). */
  async failed(queue: string, delivery: Delivery, request: TaskRequest, error: unknown, taskOptions: CeleryTaskOptions | undefined): Promise<void> {
    await this.fail(request, error, taskOptions);
    await this.settleFailure(queue, delivery, request, error, taskOptions);
  }

  /**
   * A redelivered message of a task with `rejectOnWorkerLost: false`: its worker was lost before
   * acknowledging it, so it is not run again (Celery's `WorkerLostError`): FAILURE, acknowledged.
   */
  async workerLost(delivery: Delivery, request: TaskRequest, taskOptions: CeleryTaskOptions | undefined): Promise<void> {
    this.logger.warn(ServerMessages.workerLost(request.task, request.id));
    await this.fail(request, new WorkerLostError(), taskOptions);
    delivery.ack();
  }

  /**
   * The task asked for a retry: republished with `retries + 1` and its ETA, RETRY reported; or
   * FAILURE once the retries are used up (Celery's `MaxRetriesExceededError`, or the given `exc`).
   */
  async retried(
    queue: string,
    delivery: Delivery,
    request: TaskRequest,
    ctx: CeleryContext,
    taskOptions: CeleryTaskOptions | undefined,
    retry: CeleryRetry,
  ): Promise<void> {
    const maxRetries = retry.options.maxRetries !== undefined ? retry.options.maxRetries : (taskOptions?.maxRetries ?? 3);
    if (maxRetries !== null && request.retries >= maxRetries) {
      const exhausted =
        retry.options.exc ?? new MaxRetriesExceededError(`Can't retry ${request.task}[${request.id}] args:${JSON.stringify(request.args)} kwargs:${JSON.stringify(request.kwargs)}`);
      await this.fail(request, exhausted, taskOptions);
      await this.settleFailure(queue, delivery, request, exhausted, taskOptions);
      return;
    }
    const countdown = retry.options.countdown ?? taskOptions?.defaultRetryDelay ?? 180;
    const eta = retry.options.eta ?? new Date(Date.now() + countdown * 1000);
    try {
      await this.workflow.retry(request, ctx.deliveryInfo, eta);
    } catch (error) {
      await this.retryNotSent(queue, delivery, request, error);
      return;
    }
    this.tracker.retried(request, retry.options.exc, toTraceback(retry));
    // Celery stores the retry's `exc` (or None when the task gave none) as the RETRY result.
    const { exc } = retry.options;
    const info = exc === undefined ? null : toExceptionInfo(exc, nestExceptionArgs(exc));
    try {
      if (reportsErrors(taskOptions)) this.reporter.report(request, CeleryState.RETRY, info, toTraceback(exc ?? retry), [resultTuple(request.id)]);
    } catch {
      // a RETRY state the caller cannot read is not worth failing the retry for
    }
    this.settle(delivery);
  }

  /** Sends the task's callbacks and next chain step, then reports SUCCESS with them as children. */
  private async succeedWithFollowUps(
    delivery: Delivery,
    request: TaskRequest,
    taskOptions: CeleryTaskOptions | undefined,
    value: unknown,
  ): Promise<void> {
    // A value the follow-ups cannot carry fails the task at once, as Celery's trace does.
    const unencodable = encodeErrorOf(value, speaksTypeMarkers(request.headers));
    if (unencodable) return this.failUnencodable(delivery, request, unencodable);
    let children: unknown[];
    try {
      children = await this.workflow.followSuccess(request, value);
    } catch (error) {
      // Celery's tracer (app/trace.py): an error applying the callbacks or the next chain step
      // fails the task with that error (errbacks called) and the message is acknowledged.
      this.logger.error(ServerMessages.followUpFailed(request.task, request.id, (error as Error).message));
      await this.fail(request, error, taskOptions);
      this.settle(delivery);
      return;
    }
    await this.succeed(delivery, request, taskOptions, value, children);
  }

  /**
   * Reports SUCCESS unless the result is ignored, and settles. A result that cannot be written
   * as JSON is a FAILURE with kombu's `EncodeError` instead, as a Python worker reports it.
   */
  private succeed(
    delivery: Delivery,
    request: TaskRequest,
    taskOptions: CeleryTaskOptions | undefined,
    value: unknown,
    children: unknown[],
  ): Promise<void> | void {
    if (!request.ignoreResult && !taskOptions?.ignoreResult) {
      try {
        this.reporter.report(request, CeleryState.SUCCESS, value, null, children);
      } catch (error) {
        if (error instanceof CeleryEncodeError) return this.failUnencodable(delivery, request, error);
        this.logger.warn(ServerMessages.replyFailed(request.task, request.id, (error as Error).message));
      }
    } else this.reporter.resultIgnored(request, CeleryState.SUCCESS, value);
    this.tracker.succeeded(request, value);
    this.settle(delivery);
  }

  /** FAILURE with the `EncodeError` of a result that cannot be written; logged once, like any failure. */
  private async failUnencodable(delivery: Delivery, request: TaskRequest, error: CeleryEncodeError): Promise<void> {
    this.logger.error(ServerMessages.resultUnencodable(request.task, request.id, error.message));
    await this.fail(request, error);
    this.settle(delivery);
  }

  /**
   * Settles the message of a failed task: acknowledged, unless acks are late and the task has
   * `acksOnFailureOrTimeout: false` (Celery rejects it without requeue then): dead-lettered once.
   */
  private async settleFailure(queue: string, delivery: Delivery, request: TaskRequest, error: unknown, taskOptions: CeleryTaskOptions | undefined): Promise<void> {
    if (!this.acksLate || taskOptions?.acksOnFailureOrTimeout !== false) {
      this.settle(delivery);
      return;
    }
    const detail = `${toExceptionInfo(error).exc_type}: ${(error as Error)?.message ?? String(error)}`;
    await this.refusals.deadLetter(queue, delivery, 'task-failed', detail, (action) => ServerMessages.failedRejected(request.task, request.id, detail, action));
  }

  private async fail(request: TaskRequest, error: unknown, taskOptions?: CeleryTaskOptions): Promise<void> {
    this.tracker.failed(request, error);
    const info = toExceptionInfo(error, nestExceptionArgs(error));
    const traceback = toTraceback(error);
    try {
      // An ignored failure is not stored, but a chord still counts it (Celery's mark_as_failure).
      if (reportsErrors(taskOptions)) this.reporter.report(request, CeleryState.FAILURE, info, traceback);
      else this.reporter.resultIgnored(request, CeleryState.FAILURE, info);
      this.reporter.failChain(request.embed.chain, info, traceback);
    } catch (e) {
      this.logger.warn(ServerMessages.replyFailed(request.task, request.id, (e as Error).message));
    }
    await this.workflow.followFailure(request).catch((e: Error) =>
      this.logger.warn(ServerMessages.replyFailed(request.task, request.id, `errbacks: ${e.message}`)),
    );
  }

  /**
   * A retry that could not be republished. Celery's `Task.retry` raises `Reject(requeue=False)`
   * then: the message is rejected, not run again. Here it is dead-lettered (or rejected) once, and
   * the caller gets FAILURE with the error instead of waiting forever (Celery leaves it PENDING).
   */
  private async retryNotSent(queue: string, delivery: Delivery, request: TaskRequest, error: unknown): Promise<void> {
    const detail = (error as Error).message;
    this.tracker.rejected(request, false);
    try {
      const info = toExceptionInfo(error);
      const traceback = toTraceback(error);
      this.reporter.report(request, CeleryState.FAILURE, info, traceback);
      this.reporter.failChain(request.embed.chain, info, traceback);
    } catch (e) {
      this.logger.warn(ServerMessages.replyFailed(request.task, request.id, (e as Error).message));
    }
    // With early acks the message is already acknowledged: only its dead-letter copy is left to send.
    const target = this.acksLate ? delivery : { message: delivery.message, ack: noSettle, reject: noSettle };
    await this.refusals.deadLetter(queue, target, 'retry-not-sent', detail, (action) => ServerMessages.retryNotSent(request.task, request.id, detail, action));
  }
}

/** False when the task's RETRY and FAILURE states are not sent: `ignoreResult` without `storeErrorsEvenIfIgnored` (Celery's `store_errors`). */
function reportsErrors(taskOptions: CeleryTaskOptions | undefined): boolean {
  return !taskOptions?.ignoreResult || taskOptions.storeErrorsEvenIfIgnored === true;
}

/** The {@link CeleryEncodeError} of a task value that cannot be written as Celery JSON (with type markers or not), if any. */
function encodeErrorOf(value: unknown, typeMarkers: boolean): CeleryEncodeError | undefined {
  try {
    toCeleryJsonData(value, 'result', { typeMarkers });
    return undefined;
  } catch (error) {
    if (error instanceof CeleryEncodeError) return error;
    throw error;
  }
}
