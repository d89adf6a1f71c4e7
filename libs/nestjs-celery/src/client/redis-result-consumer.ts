import type { LoggerService } from '@nestjs/common';
import type { ConnectionOptions as TlsOptions } from 'node:tls';
import { RedisResultStore } from '../results/redis-result-store.js';
import { RedisResultSubscriber, type TaskMetaListener } from '../results/redis-result-subscriber.js';
import type { AsyncResult } from './async-result.js';
import type { ResultSlot } from './result-slot.js';
import type { TaskResults } from './task-results.js';

/** Options of a {@link RedisResultConsumer}. */
export interface RedisResultConsumerOptions {
  expiresMs?: number;
  tls?: TlsOptions;
  connectionName?: string;
  logger?: LoggerService;
}

/**
 * Celery's Redis result backend, client side: each {@link AsyncResult} waits on its task's
 * channel (subscribed before the task is sent, and the key read once subscribed, so nothing is
 * missed); a ready state unsubscribes. A handle the caller dropped unsubscribes when collected.
 */
export class RedisResultConsumer implements TaskResults {
  readonly replyTo = null;
  private opening?: Promise<RedisResultStore>;
  private subscriber?: RedisResultSubscriber;
  private storeHandle?: RedisResultStore;
  private readonly finalizer = new FinalizationRegistry<{ id: string; listener: TaskMetaListener }>(({ id, listener }) =>
    this.subscriber?.unsubscribe(id, listener),
  );

  constructor(
    /** The `redis://` URL. */
    readonly url: string,
    private readonly options: RedisResultConsumerOptions = {},
  ) {}

  get consuming(): boolean {
    return this.subscriber !== undefined;
  }

  /** For health checks: the subscriber and command connections up, or down while Redis is away. */
  get state(): 'not-started' | 'consuming' | 'down' {
    if (!this.subscriber || !this.storeHandle) return 'not-started';
    return this.storeHandle.redis.status === 'ready' ? 'consuming' : 'down';
  }

  /** The store (after {@link start}), for chords, groups and `forget()`. */
  get store(): RedisResultStore | undefined {
    return this.storeHandle;
  }

  /** Number of tasks waited for: what is subscribed. */
  get waiting(): number {
    return this.subscriber?.size ?? 0;
  }

  /** Opens the command and subscriber connections (once). */
  start(): Promise<RedisResultStore> {
    this.opening ??= RedisResultStore.open(this.url, {
      expiresMs: this.options.expiresMs,
      tls: this.options.tls,
      connectionName: this.options.connectionName,
      logger: this.options.logger,
    }).then((store) => {
      this.storeHandle = store;
      this.subscriber = new RedisResultSubscriber(store, this.options.logger);
      return store;
    });
    return this.opening;
  }

  async track<T>(result: AsyncResult<T>, unsent = false): Promise<AsyncResult<T>> {
    const store = await this.start();
    const slot: ResultSlot = result.slot;
    if (slot.ready()) return result;
    const listener: TaskMetaListener = (meta) => slot.update(meta);
    await this.subscriber!.subscribe(slot.id, listener, !unsent);
    result.attach(store);
    if (!slot.ready()) this.finalizer.register(result, { id: slot.id, listener });
    return result;
  }

  async stop(): Promise<void> {
    const opening = this.opening;
    this.opening = undefined;
    const subscriber = this.subscriber;
    this.subscriber = undefined;
    this.storeHandle = undefined;
    if (!opening) return;
    const store = await opening.catch(() => undefined);
    await subscriber?.close();
    await store?.close();
  }
}
