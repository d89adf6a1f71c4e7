import { performance } from 'node:perf_hooks';
import { toExceptionInfo, toTraceback } from '../../protocol/exception-info.js';
import { toCeleryIsoString } from '../../protocol/iso-time.js';
import { pythonRepr, pythonStringRepr } from '../../protocol/python-repr.js';
import type { TaskRequest } from '../../protocol/task-message.js';
import type { CeleryEventPublisher } from './celery-event.publisher.js';
import { argsRepr, kwargsRepr } from '../request-info.js';

/** The signal number Celery reports for `revoke(terminate=True)` (its default `SIGTERM`). */
const SIGTERM = 15;

/** Python's `repr(exc)` of a thrown value, as `task-failed` and `task-retried` carry it: `ValueError('bad value', 42)`. */
export function exceptionRepr(error: unknown): string {
  const { exc_type, exc_message } = toExceptionInfo(error);
  return `${exc_type}(${exc_message.map((arg) => pythonRepr(arg)).join(', ')})`;
}

/**
 * The task events of a worker (Celery's `task` event group, sent with `-E` /
 * `worker_send_task_events` or after the `enable_events` control command), with the fields a
 * Python worker sends: `task-received`, `task-started`, `task-succeeded` (result repr and
 * runtime), `task-failed` / `task-retried` (exception repr and traceback), `task-revoked`,
 * `task-rejected`. Every event carries the task's `uuid`.
 */
export class TaskEventSender {
  /** `performance.now()` at `task-started`, for `runtime`; weak, so a task that never reports back costs nothing. */
  private readonly startTimes = new WeakMap<TaskRequest, number>();

  constructor(private readonly publisher: CeleryEventPublisher) {}

  /** `task-received`: the worker took the task (before any ETA hold). */
  received(request: TaskRequest): void {
    this.publisher.send('task-received', {
      uuid: request.id,
      name: request.task,
      args: argsRepr(request),
      kwargs: kwargsRepr(request),
      root_id: request.rootId,
      parent_id: request.parentId,
      retries: request.retries,
      eta: request.eta && toCeleryIsoString(request.eta),
      expires: request.expires && toCeleryIsoString(request.expires),
    });
  }

  /** `task-started`: the handler starts running. */
  started(request: TaskRequest): void {
    this.startTimes.set(request, performance.now());
    this.publisher.send('task-started', { uuid: request.id });
  }

  /** `task-succeeded` with the result's Python repr and the runtime in seconds. */
  succeeded(request: TaskRequest, result: unknown): void {
    const startedAt = this.startTimes.get(request);
    const runtime = startedAt === undefined ? 0 : (performance.now() - startedAt) / 1000;
    this.publisher.send('task-succeeded', { uuid: request.id, result: pythonRepr(result), runtime });
  }

  /** `task-failed` with the exception's repr and traceback. */
  failed(request: TaskRequest, error: unknown): void {
    this.publisher.send('task-failed', { uuid: request.id, exception: exceptionRepr(error), traceback: toTraceback(error) });
  }

  /** `task-failed` for a task no handler is registered for, as Celery's `on_unknown_task` sends it. */
  notRegistered(request: TaskRequest): void {
    this.publisher.send('task-failed', { uuid: request.id, exception: `NotRegistered(${pythonStringRepr(request.task)})` });
  }

  /** `task-retried` with the retry's cause (`exc`, `None` when it gave none) and traceback. */
  retried(request: TaskRequest, cause: unknown, traceback: string | null): void {
    this.publisher.send('task-retried', {
      uuid: request.id,
      exception: cause === undefined ? 'None' : exceptionRepr(cause),
      traceback,
    });
  }

  /** `task-revoked`: discarded as revoked or expired, or terminated while running. */
  revoked(request: TaskRequest, reason: 'revoked' | 'expired' | 'terminated'): void {
    const terminated = reason === 'terminated';
    this.publisher.send('task-revoked', { uuid: request.id, terminated, signum: terminated ? SIGTERM : null, expired: reason === 'expired' });
  }

  /** `task-rejected`: the message went back to the broker (requeued) or was dropped. */
  rejected(request: TaskRequest, requeue: boolean): void {
    this.publisher.send('task-rejected', { uuid: request.id, requeue });
  }
}
