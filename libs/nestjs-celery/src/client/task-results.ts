import type { AsyncResult } from './async-result.js';

/**
 * A client's result backend: how the {@link AsyncResult}s of its calls are completed. rpc://
 * (`ResultConsumer`: one reply queue per client) or Redis (`RedisResultConsumer`: one channel per
 * task on one subscriber connection).
 */
export interface TaskResults {
  /** The `reply_to` of sent tasks: the reply queue with rpc://, null with Redis (as Celery's worker ignores it there). */
  readonly replyTo: string | null;
  /** True once started: a send need not wait for {@link start}. */
  readonly consuming: boolean;
  /** For health checks: not started yet (no call waited for a result), consuming, or down (its connection is). */
  readonly state: 'not-started' | 'consuming' | 'down';
  /** Connects (once). */
  start(): Promise<unknown>;
  /**
   * Completes `result` from the backend. Redis subscribes first and resolves once subscribed
   * (rejecting with `ResultBackendUnavailableError` when Redis is away, before anything is sent),
   * then reads the key unless `unsent` (a fresh task id not sent yet: nothing can be stored).
   */
  track<T>(result: AsyncResult<T>, unsent?: boolean): AsyncResult<T> | Promise<AsyncResult<T>>;
  /** Stops (idempotent). */
  stop(): Promise<void>;
}
