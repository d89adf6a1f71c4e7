import type { Broker } from '../broker/broker.js';
import { CeleryState } from '../protocol/celery-state.js';
import { notRegisteredInfo, taskRevokedInfo, type ExceptionInfo } from '../protocol/exception-info.js';
import { speaksTypeMarkers } from '../protocol/celery-json.markers.js';
import { encodeResultMessage } from '../protocol/result-message.js';
import type { SignatureDict } from '../protocol/signature.js';
import type { TaskRequest } from '../protocol/task-message.js';
import type { ReportedRequest, ResultReporter } from './result-reporter.js';

const REPLY_PROPERTIES = { contentType: 'application/json', contentEncoding: 'utf-8', deliveryMode: 1, priority: 0 } as const;

/**
 * Celery's rpc:// result backend, worker side: publishes state updates to the caller's `reply_to`
 * queue through the default exchange, with `correlation_id` and Celery's five-key body,
 * unconfirmed like Celery's (they are transient and lost on a broker restart anyway).
 * Tasks without `reply_to` get no reply, as in Celery.
 */
export class TaskResultReporter implements ResultReporter {
  constructor(
    private readonly broker: Broker,
    private readonly enabled: boolean,
  ) {}

  /**
   * Publishes one state update for `request`, synchronously (an unconfirmed publish never waits);
   * throws `CeleryEncodeError` (before publishing anything) when `result` cannot be written as
   * Celery JSON, which the worker reports as an `EncodeError` FAILURE instead. A caller on Celery
   * 5.3+ (told by the request's headers) gets kombu ≥ 5.3's type markers: a `Date` as a `datetime`.
   */
  report(
    request: ReportedRequest,
    status: string,
    result: unknown,
    traceback: string | null = null,
    children: unknown[] = [],
  ): void {
    if (!this.enabled || !request.replyTo) return;
    const body = encodeResultMessage({ task_id: request.id, status, result, traceback, children }, { typeMarkers: speaksTypeMarkers(request.headers) });
    // Replies are transient and unconfirmed, as Celery's: waiting for a confirm before the ack
    // would add a broker round trip to every task.
    this.broker.publishUnconfirmed('', request.replyTo, body, {
      contentType: REPLY_PROPERTIES.contentType,
      contentEncoding: REPLY_PROPERTIES.contentEncoding,
      deliveryMode: REPLY_PROPERTIES.deliveryMode,
      priority: REPLY_PROPERTIES.priority,
      correlationId: request.correlationId,
    });
  }

  /** REVOKED with Celery's `TaskRevokedError(reason)`; reason is `revoked`, `expired` or `terminated`. */
  revoked(request: TaskRequest, reason: 'revoked' | 'expired' | 'terminated'): void {
    this.report(request, CeleryState.REVOKED, taskRevokedInfo(reason));
  }

  /** FAILURE with Celery's `NotRegistered(name)`. */
  notRegistered(request: TaskRequest): void {
    this.report(request, CeleryState.FAILURE, notRegisteredInfo(request.task));
  }

  /** rpc:// keeps no chords (Celery's rpc backend's `on_chord_part_return` does nothing): nothing to do. */
  resultIgnored(): void {}

  /** Nothing to wait for: replies are published synchronously. */
  async close(): Promise<void> {}

  /**
   * Marks the chain steps after a failed task as FAILURE with the same exception, as Celery's
   * `mark_as_failure` does for every remaining step that has a frozen `task_id`.
   */
  failChain(chain: SignatureDict[] | null, info: ExceptionInfo, traceback: string | null): void {
    if (!chain) return;
    for (const step of chain) {
      const id = step.options?.task_id;
      const replyTo = step.options?.reply_to;
      if (typeof id === 'string' && typeof replyTo === 'string') {
        this.report({ id, replyTo, correlationId: id }, CeleryState.FAILURE, info, traceback);
      }
    }
  }
}
