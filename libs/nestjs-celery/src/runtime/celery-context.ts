import { BaseRpcContext } from '@nestjs/microservices';
import type { ConsumeMessage } from 'amqplib';
import type { TaskRequest } from '../protocol/task-message.js';
import { CeleryRetry, type RetryOptions } from './celery-retry.js';

/** Celery's `request.delivery_info`. */
export interface DeliveryInfo {
  exchange: string;
  routing_key: string;
  priority: number | null;
  redelivered: boolean;
}

/** Celery's `request.delivery_info` of a received task message. */
export function deliveryInfoOf(request: TaskRequest, message: ConsumeMessage): DeliveryInfo {
  const { fields } = message;
  return { exchange: fields.exchange, routing_key: fields.routingKey, priority: request.priority, redelivered: fields.redelivered };
}

/**
 * What a task handler knows about the current request (Celery's `self.request`): ids, retries,
 * workflow links, headers, delivery info, a cancellation signal, and `retry()`.
 * Inject it with `@Ctx()`.
 */
export class CeleryContext extends BaseRpcContext<[TaskRequest, ConsumeMessage, string]> {
  private thrown?: { error: unknown };
  private retryRequested?: CeleryRetry;
  /** Created on first use: most handlers never look at {@link signal}. */
  private abort?: AbortController;

  constructor(request: TaskRequest, message: ConsumeMessage, hostname: string) {
    super([request, message, hostname]);
  }

  /** The decoded task request. */
  get request(): TaskRequest {
    return this.args[0];
  }

  /** The raw AMQP message. */
  get message(): ConsumeMessage {
    return this.args[1];
  }

  /** This worker's node name. */
  get hostname(): string {
    return this.args[2];
  }

  /** Task id. */
  get id(): string {
    return this.request.id;
  }

  /** Task name. */
  get task(): string {
    return this.request.task;
  }

  /** How many times this task was retried so far. */
  get retries(): number {
    return this.request.retries;
  }

  /** Id of the first task of the workflow. */
  get rootId(): string | null {
    return this.request.rootId;
  }

  /** Id of the task that sent this one. */
  get parentId(): string | null {
    return this.request.parentId;
  }

  /** Group id when the task is a group member. */
  get group(): string | null {
    return this.request.group;
  }

  /** Every message header, Celery's and custom ones. */
  get headers(): Record<string, unknown> {
    return this.request.headers;
  }

  /** Celery's `delivery_info`. */
  get deliveryInfo(): DeliveryInfo {
    return deliveryInfoOf(this.request, this.message);
  }

  /** Aborted when the soft time limit passes or the worker shuts down: stop cooperative work. */
  get signal(): AbortSignal {
    this.abort ??= new AbortController();
    return this.abort.signal;
  }

  /**
   * Returns the error to throw for a retry: `throw ctx.retry({ countdown: 5 })`. The task runs again
   * later with the same id and `retries + 1` (Celery's retry protocol).
   */
  retry(options: RetryOptions = {}): CeleryRetry {
    this.retryRequested = new CeleryRetry(options);
    return this.retryRequested;
  }

  /** @internal The last retry {@link retry} made: an interceptor may replace the thrown one with another error. */
  get requestedRetry(): CeleryRetry | undefined {
    return this.retryRequested;
  }

  /**
   * @internal Keeps the error a call failed with, before Nest's exception filters see it (see
   * `CeleryErrorInterceptor`). True when the call is to end quietly, without the filters: a retry
   * request is control flow, not a failure, also when an interceptor replaced it on its way out.
   */
  keepFailure(error: unknown): boolean {
    const retry = error instanceof CeleryRetry ? error : this.retryRequested;
    this.captureError(retry ?? error);
    return retry !== undefined;
  }

  /** @internal Records the handler's original error before Nest's exception filters replace it. */
  captureError(error: unknown): void {
    this.thrown ??= { error };
  }

  /** @internal The original error the handler threw, if any. */
  get capturedError(): { error: unknown } | undefined {
    return this.thrown;
  }

  /** @internal Aborts {@link signal}. */
  cancel(reason: unknown): void {
    this.abort ??= new AbortController();
    this.abort.abort(reason);
  }
}
