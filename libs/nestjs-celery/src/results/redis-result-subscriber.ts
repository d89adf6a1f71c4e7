import type { LoggerService } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { isReadyState } from '../protocol/celery-state.js';
import type { RedisResultStore } from './redis-result-store.js';
import { TASK_KEY_PREFIX, taskMetaKey } from './result-keys.js';
import { ResultBackendUnavailableError } from './results.errors.js';
import { decodeTaskMeta, type TaskMeta } from './task-meta.codec.js';

/** Called with every state a subscribed task reaches. */
export type TaskMetaListener = (meta: TaskMeta) => void;

/**
 * The client half of Celery's Redis backend (`redis.ResultConsumer`): one subscriber connection,
 * one channel per task waited for (`celery-task-meta-<id>`). After subscribing it also reads the
 * key, so a result stored before the subscription is not missed; a ready state unsubscribes.
 * After a reconnect (ioredis subscribes again by itself) every waited-for key is read again, as
 * `_reconnect_pubsub` does with `MGET`.
 */
export class RedisResultSubscriber {
  private readonly listeners = new Map<string, Set<TaskMetaListener>>();
  private connecting?: Promise<void>;
  private reconnected = false;

  constructor(
    private readonly store: RedisResultStore,
    private readonly logger?: LoggerService,
    private readonly connection: Redis = store.duplicate(),
  ) {
    connection.on('message', (channel: string, message: string) => this.onMessage(channel, message));
    connection.on('error', () => undefined); // the store's connection logs outages
    connection.on('close', () => (this.reconnected = true));
    connection.on('ready', () => {
      if (this.reconnected) void this.readAll();
    });
  }

  /** Number of tasks waited for (their channels are subscribed). */
  get size(): number {
    return this.listeners.size;
  }

  /**
   * Subscribes to a task's channel, then reads its key (`readKey: false` for a task not sent yet:
   * nothing can be stored before it is, and this saves a round trip per call). Rejects with
   * {@link ResultBackendUnavailableError} when Redis cannot be reached (nothing stays subscribed).
   */
  async subscribe(taskId: string, listener: TaskMetaListener, readKey = true): Promise<void> {
    const existing = this.listeners.get(taskId);
    if (existing) {
      existing.add(listener);
      return;
    }
    const set = new Set([listener]);
    this.listeners.set(taskId, set);
    try {
      await this.ensureConnected();
      await this.connection.subscribe(taskMetaKey(taskId));
      if (readKey) {
        const stored = await this.store.get(taskId);
        if (stored) this.deliver(stored);
      }
    } catch (error) {
      if (this.listeners.get(taskId) === set) this.unsubscribe(taskId);
      throw error instanceof ResultBackendUnavailableError ? error : new ResultBackendUnavailableError(this.store.url, 'subscribe', error);
    }
  }

  /** Stops waiting for `taskId` (a listener, or all of them). */
  unsubscribe(taskId: string, listener?: TaskMetaListener): void {
    const set = this.listeners.get(taskId);
    if (!set) return;
    if (listener) set.delete(listener);
    if (listener && set.size > 0) return;
    this.listeners.delete(taskId);
    // Sent even while reconnecting (queued): ioredis would otherwise subscribe the channel again.
    if (this.connection.status !== 'wait' && this.connection.status !== 'end') void this.connection.unsubscribe(taskMetaKey(taskId)).catch(() => undefined);
  }

  /** Closes the subscriber connection. */
  async close(): Promise<void> {
    this.listeners.clear();
    await this.connection.quit().catch(() => this.connection.disconnect());
  }

  private ensureConnected(): Promise<void> {
    if (this.connection.status === 'ready') return Promise.resolve();
    if (this.connection.status === 'wait') this.connecting ??= this.connection.connect().finally(() => (this.connecting = undefined));
    if (this.connecting) return this.connecting;
    return Promise.reject(new Error(`connection is ${this.connection.status}`));
  }

  private onMessage(channel: string, message: string): void {
    if (!channel.startsWith(TASK_KEY_PREFIX)) return;
    let meta: TaskMeta;
    try {
      meta = decodeTaskMeta(message);
    } catch (error) {
      this.logger?.warn(`ignored a malformed result on ${channel}: ${(error as Error).message}`);
      return;
    }
    this.deliver(meta);
  }

  private deliver(meta: TaskMeta): void {
    const set = this.listeners.get(meta.task_id);
    if (!set) return;
    if (isReadyState(meta.status)) this.unsubscribe(meta.task_id);
    for (const listener of set) listener(meta);
  }

  /** After a reconnect: what changed while the connection was down. */
  private async readAll(): Promise<void> {
    this.reconnected = false;
    const ids = [...this.listeners.keys()];
    try {
      const metas = await this.store.getMany(ids);
      for (const meta of metas) if (meta) this.deliver(meta);
    } catch {
      this.reconnected = true; // try again on the next ready
    }
  }
}
