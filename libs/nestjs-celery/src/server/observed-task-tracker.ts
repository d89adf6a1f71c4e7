import type { Delivery } from '../broker/delivery.js';
import type { RevokeReason, TaskTracker } from '../control/worker/task-tracker.js';
import type { TaskRequest } from '../protocol/task-message.js';
import type { CeleryContext } from '../runtime/celery-context.js';
import type { CeleryObserver } from '../runtime/celery-observer.js';

/**
 * The worker's {@link TaskTracker} with a {@link CeleryObserver} told of every stage too. Used
 * only when `ServerCelery({ observer })` is set: without one the worker talks to its remote
 * control directly and pays nothing.
 */
export class ObservedTaskTracker implements TaskTracker {
  constructor(
    private readonly tracker: TaskTracker,
    private readonly observer: CeleryObserver,
  ) {}

  isRevoked(id: string): boolean {
    return this.tracker.isRevoked(id);
  }

  reserved(request: TaskRequest, delivery: Delivery): void {
    this.tracker.reserved(request, delivery);
  }

  started(ctx: CeleryContext): void {
    this.tracker.started(ctx);
    this.observer.taskStarted?.(ctx.request);
  }

  finished(ctx: CeleryContext): boolean {
    const terminated = this.tracker.finished(ctx);
    if (terminated) this.observer.taskFinished?.(ctx.request, 'revoked');
    return terminated;
  }

  succeeded(request: TaskRequest, value: unknown): void {
    this.tracker.succeeded(request, value);
    this.observer.taskFinished?.(request, 'succeeded');
  }

  failed(request: TaskRequest, error: unknown): void {
    this.tracker.failed(request, error);
    this.observer.taskFinished?.(request, 'failed');
  }

  retried(request: TaskRequest, cause: unknown, traceback: string | null): void {
    this.tracker.retried(request, cause, traceback);
    this.observer.taskFinished?.(request, 'retried');
  }

  rejected(request: TaskRequest, requeue: boolean): void {
    this.tracker.rejected(request, requeue);
    this.observer.taskRejected?.(requeue ? 'requeued' : 'dead-lettered', request);
  }

  discarded(request: TaskRequest, reason: Exclude<RevokeReason, 'terminated'>): void {
    this.tracker.discarded(request, reason);
    this.observer.taskFinished?.(request, 'revoked');
  }

  notRegistered(request: TaskRequest): void {
    this.tracker.notRegistered(request);
    this.observer.taskRejected?.('not-registered', request);
  }

  released(request: TaskRequest): void {
    this.tracker.released(request);
    this.observer.taskReleased?.(request);
  }
}
