import { CeleryState, isReadyState } from '../protocol/celery-state.js';
import type { ResultMessage } from '../protocol/result-message.js';

/** A `get()` waiting for the ready state. */
export interface ResultWaiter {
  resolve: () => void;
}

/**
 * What an {@link AsyncResult} knows about its task: the latest reply, and who waits for the next.
 * The result consumer holds the slots of the results it completes, never the results themselves,
 * so a result the caller dropped can be collected (its slot is then forgotten) without a `WeakRef`
 * per call.
 */
export class ResultSlot {
  state: string = CeleryState.PENDING;
  message?: ResultMessage;
  waiters: ResultWaiter[] = [];
  listeners?: Set<(message: ResultMessage) => void>;
  /** The non-ready states received so far (STARTED, RETRY, custom), for a later `get({ onMessage })`. */
  progress?: ResultMessage[];
  /** Why the result can no longer arrive (its backend could not subscribe); `get()` throws it. */
  error?: Error;

  constructor(
    /** The task id. */
    readonly id: string,
  ) {}

  /** True once the task finished (SUCCESS, FAILURE or REVOKED). */
  ready(): boolean {
    return isReadyState(this.state);
  }

  /** The result cannot arrive: waiters are released and `get()` throws `error`. */
  fail(error: Error): void {
    this.error = error;
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter.resolve();
  }

  /** Applies a reply: a ready state is final; waiters are released once ready. */
  update(message: ResultMessage): void {
    if (this.ready()) return;
    this.state = message.status;
    this.message = message;
    if (!this.ready()) (this.progress ??= []).push(message);
    if (this.listeners) for (const listener of this.listeners) listener(message);
    if (this.ready()) {
      const waiters = this.waiters;
      this.waiters = [];
      for (const waiter of waiters) waiter.resolve();
    }
  }
}
