import { CeleryState, isPropagatedState } from '../protocol/celery-state.js';
import { toRemoteError, type CeleryRemoteError } from '../protocol/celery-remote.error.js';
import type { ResultMessage } from '../protocol/result-message.js';
import { CeleryTimeoutError } from './client.errors.js';
import { ResultSlot, type ResultWaiter } from './result-slot.js';
import type { StoredResults } from './stored-results.js';

/** Options of {@link AsyncResult.get}. */
export interface GetResultOptions {
  /** Milliseconds to wait before {@link CeleryTimeoutError}. Default: wait forever. */
  timeout?: number;
  /** Throw the remote exception for FAILURE/REVOKED (default true); false returns it instead. */
  propagate?: boolean;
  /**
   * Called for every state update, including non-ready ones (STARTED, RETRY, custom states):
   * first those that arrived before this call, in order, then each as it arrives.
   */
  onMessage?: (message: ResultMessage) => void;
}

/**
 * The pending result of a task, like Celery's `AsyncResult`: its state as the rpc replies
 * arrive, and `get()` that resolves with the return value or throws the remote error.
 */
export class AsyncResult<T = unknown> {
  /** @internal The state replies update; the result consumer holds it (not this handle) while replies may come. */
  readonly slot: ResultSlot;

  /** The storing backend (Redis) this result was read from, for {@link forget}. */
  private backend?: StoredResults;

  constructor(
    /** The task id. */
    readonly id: string,
    /** The task name, when known. */
    readonly taskName?: string,
  ) {
    this.slot = new ResultSlot(id);
  }

  /** @internal Set by a storing backend's consumer. */
  attach(backend: StoredResults): void {
    this.backend = backend;
  }

  /**
   * Celery's `forget()`: deletes the stored result (Redis; with rpc:// there is nothing stored)
   * and forgets the state known here.
   */
  async forget(): Promise<void> {
    await this.backend?.forget(this.id);
    if (this.slot.ready()) {
      this.slot.state = CeleryState.PENDING;
      this.slot.message = undefined;
      this.slot.progress = undefined;
    }
  }

  /** When the task finished (Celery's `date_done`, Redis backend only), or null. */
  get dateDone(): Date | null {
    const done = (this.slot.message as { date_done?: unknown } | undefined)?.date_done;
    if (typeof done !== 'string') return null;
    return new Date(/[+-]\d\d:\d\d$|Z$/.test(done) ? done : `${done}Z`);
  }

  /** Current state: PENDING until a reply arrives, then STARTED, RETRY, SUCCESS, FAILURE, REVOKED or custom. */
  get state(): string {
    return this.slot.state;
  }

  /** True once the task finished (SUCCESS, FAILURE or REVOKED). */
  ready(): boolean {
    return this.slot.ready();
  }

  /** True if the task succeeded. */
  successful(): boolean {
    return this.slot.state === CeleryState.SUCCESS;
  }

  /** True if the task failed or was revoked. */
  failed(): boolean {
    return isPropagatedState(this.slot.state);
  }

  /** The raw result value of the latest reply (the return value, or the exception dict). */
  get result(): unknown {
    return this.slot.message?.result;
  }

  /** The remote traceback of a failure, if any. */
  get traceback(): string | null {
    return this.slot.message?.traceback ?? null;
  }

  /** Child results listed by the worker (chain steps, callbacks). */
  get children(): unknown[] {
    return this.slot.message?.children ?? [];
  }

  /** The remote error of a FAILURE/REVOKED result, or undefined. */
  get error(): CeleryRemoteError | undefined {
    const message = this.slot.message;
    return message && isPropagatedState(message.status) ? toRemoteError(this.id, message.result, message.traceback) : undefined;
  }

  /**
   * Waits for the task's result. Resolves with the return value; rejects with a
   * `CeleryRemoteError` subclass for FAILURE/REVOKED, or {@link CeleryTimeoutError} after `timeout` ms.
   */
  async get(options: GetResultOptions = {}): Promise<T> {
    const { timeout, propagate = true, onMessage } = options;
    const slot = this.slot;
    if (onMessage) {
      // replies are consumed as they arrive, not while get() drains as in Celery: hand over the earlier ones
      for (const earlier of slot.progress ?? []) onMessage(earlier);
      if (slot.ready()) onMessage(slot.message!);
      else (slot.listeners ??= new Set()).add(onMessage);
    }
    try {
      if (!slot.ready()) await this.waitReady(timeout);
      if (!slot.ready() && slot.error) throw slot.error;
    } finally {
      if (onMessage) slot.listeners?.delete(onMessage);
    }
    const message = slot.message!;
    if (isPropagatedState(message.status)) {
      const error = toRemoteError(this.id, message.result, message.traceback);
      if (propagate) throw error;
      return error as T;
    }
    return message.result as T;
  }

  /** Applies a reply; called by the result consumer. */
  update(message: ResultMessage): void {
    this.slot.update(message);
  }

  private waitReady(timeout: number | undefined): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const waiter: ResultWaiter = { resolve };
      if (timeout !== undefined && Number.isFinite(timeout)) {
        const timer = setTimeout(() => {
          this.slot.waiters = this.slot.waiters.filter((w) => w !== waiter);
          reject(new CeleryTimeoutError(this.id, timeout));
        }, timeout);
        waiter.resolve = () => {
          clearTimeout(timer);
          resolve();
        };
      }
      this.slot.waiters.push(waiter);
    });
  }
}
