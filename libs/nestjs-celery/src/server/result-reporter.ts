import type { ExceptionInfo } from '../protocol/exception-info.js';
import type { SignatureDict } from '../protocol/signature.js';
import type { TaskRequest } from '../protocol/task-message.js';

/** The request fields a result report reads: the id and reply route, and for stores the rest of the request when known. */
export type ReportedRequest = Pick<TaskRequest, 'id' | 'replyTo' | 'correlationId'> & Partial<Omit<TaskRequest, 'id' | 'replyTo' | 'correlationId'>>;

/**
 * Where a worker reports task states: Celery's result backend, worker side. Two implementations:
 * {@link TaskResultReporter} (rpc://, replies to `reply_to`) and `RedisResultReporter` (stores
 * `celery-task-meta-<id>` in Redis and keeps chords). A report encodes synchronously (throwing
 * `CeleryEncodeError` for a value Celery JSON cannot carry, before anything is sent); what it
 * sends afterwards never throws to the caller: failures are logged by the reporter.
 */
export interface ResultReporter {
  /** Reports one state of `request` (STARTED, SUCCESS, FAILURE, RETRY, REVOKED, custom). */
  report(request: ReportedRequest, status: string, result: unknown, traceback?: string | null, children?: unknown[]): void;
  /** REVOKED with Celery's `TaskRevokedError(reason)`. */
  revoked(request: TaskRequest, reason: 'revoked' | 'expired' | 'terminated'): void;
  /** FAILURE with Celery's `NotRegistered(name)`. */
  notRegistered(request: TaskRequest): void;
  /** Marks the chain steps after a failed task as FAILURE with the same exception (`mark_as_failure`). */
  failChain(chain: SignatureDict[] | null, info: ExceptionInfo, traceback: string | null): void;
  /**
   * A task whose result is ignored finished: nothing is stored, but a chord it belongs to still
   * counts it (Celery's `mark_as_done` calls `on_chord_part_return` whatever `ignore_result` says).
   */
  resultIgnored(request: TaskRequest, status: string, result: unknown): void;
  /** Waits for the reports still being written, then closes the backend's connections. */
  close(): Promise<void>;
}
