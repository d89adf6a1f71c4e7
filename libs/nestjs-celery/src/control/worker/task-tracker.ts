import type { Delivery } from '../../broker/delivery.js';
import type { TaskRequest } from '../../protocol/task-message.js';
import type { CeleryContext } from '../../runtime/celery-context.js';

/** Why a task was not run or not finished: Celery's `TaskRevokedError` reasons. */
export type RevokeReason = 'revoked' | 'expired' | 'terminated';

/**
 * What the worker tells its remote control about each task, stage by stage: the control side
 * answers `inspect active/reserved/scheduled` and `revoke` from it and sends the task events
 * (when they are on). A task's path: `reserved` → (`discarded` | `started` → `finished` → one of
 * `succeeded`, `failed`, `retried`, `rejected`) → `released`; or `notRegistered`.
 */
export interface TaskTracker {
  /** True when the task id was revoked (and not expired): the worker does not run it. */
  isRevoked(id: string): boolean;
  /** The worker took the request (held for its ETA or waiting for a slot until it runs). */
  reserved(request: TaskRequest, delivery: Delivery): void;
  /** The request starts running. */
  started(ctx: CeleryContext): void;
  /** The request finished; true when `revoke(terminate=True)` terminated it meanwhile. */
  finished(ctx: CeleryContext): boolean;
  succeeded(request: TaskRequest, value: unknown): void;
  failed(request: TaskRequest, error: unknown): void;
  retried(request: TaskRequest, cause: unknown, traceback: string | null): void;
  /** The message was rejected (requeued or dead-lettered). */
  rejected(request: TaskRequest, requeue: boolean): void;
  /** The request was discarded without running: revoked, or past its `expires`. */
  discarded(request: TaskRequest, reason: Exclude<RevokeReason, 'terminated'>): void;
  notRegistered(request: TaskRequest): void;
  /** Forgets a request that ran, was discarded or handed back. */
  released(request: TaskRequest): void;
}
