import { CeleryState, isPropagatedState, isReadyState } from '../protocol/celery-state.js';
import { toRemoteError, type CeleryRemoteError } from '../protocol/celery-remote.error.js';
import type { ResultMessage } from '../protocol/result-message.js';
import { CeleryTimeoutError } from './client.errors.js';

/** Options of {@link AsyncResult.get}. */
export interface GetResultOptions {
  /** Milliseconds to wait before {@link CeleryTimeoutError}. Default: wait forever. */
  timeout?: number;
  /** Throw the remote exception for FAILURE/REVOKED (default true); false returns it instead. */
  propagate?: boolean;
  /** Called for every state update, including non-ready ones (STARTED, RETRY, custom states). */
  onMessage?: (message: ResultMessage) => void;
}

type Waiter = { resolve: () => void };

/**
 * The pending result of a task, like Celery's `AsyncResult`: its state as the rpc replies
 * arrive, and `get()` that resolves with the return value or throws the remote error.
 */
export class AsyncResult<T = unknown> {
  private currentState: string = CeleryState.PENDING;
  private message?: ResultMessage;
  private waiters: Waiter[] = [];
  private listeners?: Set<(message: ResultMessage) => void>;

  constructor(
    /** The task id. */
    readonly id: string,
    /** The task name, when known. */
    readonly taskName?: string,
  ) {}

  /** Current state: PENDING until a reply arrives, then STARTED, RETRY, SUCCESS, FAILURE, REVOKED or custom. */
  get state(): string {
    return this.currentState;
  }

  /** True once the task finished (SUCCESS, FAILURE or REVOKED). */
  ready(): boolean {
    return isReadyState(this.currentState);
  }

  /** True if the task succeeded. */
  successful(): boolean {
    return this.currentState === CeleryState.SUCCESS;
  }

  /** True if the task failed or was revoked. */
  failed(): boolean {
    return isPropagatedState(this.currentState);
  }

  /** The raw result value of the latest reply (the return value, or the exception dict). */
  get result(): unknown {
    return this.message?.result;
  }

  /** The remote traceback of a failure, if any. */
  get traceback(): string | null {
    return this.message?.traceback ?? null;
  }

  /** Child results listed by the worker (chain steps, callbacks). */
  get children(): unknown[] {
    return this.message?.children ?? [];
  }

  /** The remote error of a FAILURE/REVOKED result, or undefined. */
  get error(): CeleryRemoteError | undefined {
    return this.message && isPropagatedState(this.message.status)
      ? toRemoteError(this.id, this.message.result, this.message.traceback)
      : undefined;
  }

  /**
   * Waits for the task's result. Resolves with the return value; rejects with a
   * `CeleryRemoteError` subclass for FAILURE/REVOKED, or {@link CeleryTimeoutError} after `timeout` ms.
   */
  async get(options: GetResultOptions = {}): Promise<T> {
    const { timeout, propagate = true, onMessage } = options;
    if (onMessage) (this.listeners ??= new Set()).add(onMessage);
    try {
      if (!this.ready()) await this.waitReady(timeout);
    } finally {
      if (onMessage) this.listeners?.delete(onMessage);
    }
    const message = this.message!;
    if (isPropagatedState(message.status)) {
      const error = toRemoteError(this.id, message.result, message.traceback);
      if (propagate) throw error;
      return error as T;
    }
    return message.result as T;
  }

  /** Applies a reply; called by the result consumer. */
  update(message: ResultMessage): void {
    if (this.ready()) return; // a ready state is final
    this.currentState = message.status;
    this.message = message;
    if (this.listeners) for (const listener of this.listeners) listener(message);
    if (this.ready()) {
      const waiters = this.waiters;
      this.waiters = [];
      for (const waiter of waiters) waiter.resolve();
    }
  }

  private waitReady(timeout: number | undefined): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = { resolve };
      if (timeout !== undefined && Number.isFinite(timeout)) {
        const timer = setTimeout(() => {
          this.waiters = this.waiters.filter((w) => w !== waiter);
          reject(new CeleryTimeoutError(this.id, timeout));
        }, timeout);
        waiter.resolve = () => {
          clearTimeout(timer);
          resolve();
        };
      }
      this.waiters.push(waiter);
    });
  }
}
