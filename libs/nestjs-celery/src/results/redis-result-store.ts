import type { LoggerService } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { ConnectionOptions as TlsOptions } from 'node:tls';
import { openRedis } from '../broker/redis/redis-client.js';
import { redactUrlIn } from '../broker/broker-url.redaction.js';
import { CeleryState } from '../protocol/celery-state.js';
import { chordKeys, groupMetaKey, taskMetaKey } from './result-keys.js';
import { decodeTaskMeta, type TaskMeta } from './task-meta.codec.js';
import { pythonJsonDumps } from './python-json.js';
import { ResultBackendUnavailableError } from './results.errors.js';
import { DEFAULT_RESULT_EXPIRES_MS } from './result-backend.options.js';

/** Options of {@link RedisResultStore.open}. */
export interface RedisResultStoreOptions {
  /** `result_expires` in ms; Celery keeps whole seconds and stores without expiry below one second. */
  expiresMs?: number;
  tls?: TlsOptions;
  connectionName?: string;
  logger?: LoggerService;
}

/**
 * Celery's Redis result backend (`celery/backends/redis.py`) on one ioredis connection: results
 * stored with `SETEX` and published on their key's channel in one `MULTI`, groups saved and
 * restored, chords counted with the `.j`/`.t`/`.s` keys. Every Redis failure is a
 * {@link ResultBackendUnavailableError}; ioredis reconnects by itself, and commands fail fast
 * while it is away (no offline queue).
 */
export class RedisResultStore {
  /** `result_expires` in whole seconds; 0 stores without expiry. */
  readonly expiresSeconds: number;
  private healthy = true;

  private constructor(
    /** The command connection (never in subscriber mode). */
    readonly redis: Redis,
    readonly url: string,
    options: RedisResultStoreOptions,
    private readonly logger?: LoggerService,
  ) {
    this.expiresSeconds = Math.floor((options.expiresMs ?? DEFAULT_RESULT_EXPIRES_MS) / 1000);
    redis.on('error', (error: Error) => {
      if (!this.healthy) return; // one line per outage, not one per reconnect attempt
      this.healthy = false;
      this.logger?.warn(`result backend ${redactUrlIn(url, url)}: ${redactUrlIn(error.message, url)}; reconnecting`);
    });
    redis.on('ready', () => {
      if (!this.healthy) this.logger?.log(`result backend ${redactUrlIn(url, url)}: connected again`);
      this.healthy = true;
    });
  }

  /** Opens a connection to `url` and waits for it (or its first failure, after which ioredis keeps trying). */
  static async open(url: string, options: RedisResultStoreOptions = {}): Promise<RedisResultStore> {
    const redis = await openRedis(url, {
      tls: options.tls,
      connectionName: options.connectionName,
      ioredis: { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 1 },
    });
    const store = new RedisResultStore(redis, url, options, options.logger);
    await redis.connect().catch(() => undefined);
    return store;
  }

  /** Opens another connection to the same Redis, for a subscriber. */
  duplicate(): Redis {
    return this.redis.duplicate({ lazyConnect: true, enableOfflineQueue: true });
  }

  /**
   * Stores a task's encoded meta as `_store_result` + `_set` do: unless the stored state is
   * already SUCCESS, `SETEX key expires meta` (`SET` without expiry) and `PUBLISH key meta` in one `MULTI`.
   */
  async store(taskId: string, meta: string): Promise<void> {
    const key = taskMetaKey(taskId);
    await this.run('store result', async () => {
      const current = await this.redis.get(key);
      if (current && storedState(current) === CeleryState.SUCCESS) return;
      const multi = this.redis.multi();
      if (this.expiresSeconds > 0) multi.setex(key, this.expiresSeconds, meta);
      else multi.set(key, meta);
      await multi.publish(key, meta).exec();
    });
  }

  /** The stored meta of a task, or undefined (PENDING). */
  async get(taskId: string): Promise<TaskMeta | undefined> {
    const raw = await this.run('get result', () => this.redis.get(taskMetaKey(taskId)));
    return raw ? decodeTaskMeta(raw) : undefined;
  }

  /** The stored metas of several tasks (`MGET`), undefined where none. */
  async getMany(taskIds: string[]): Promise<(TaskMeta | undefined)[]> {
    if (taskIds.length === 0) return [];
    const raws = await this.run('get results', () => this.redis.mget(taskIds.map(taskMetaKey)));
    return raws.map((raw) => (raw ? decodeTaskMeta(raw) : undefined));
  }

  /** `AsyncResult.forget()`: deletes the stored result. */
  async forget(taskId: string): Promise<void> {
    await this.run('forget result', () => this.redis.del(taskMetaKey(taskId)));
  }

  /**
   * `GroupResult.save()`: `celery-taskset-meta-<id>` = `{"result": [[gid, null], [[[id, null], null], …]]}`
   * (`as_tuple()`), with the same expiry as results.
   */
  async saveGroup(groupId: string, taskIds: string[]): Promise<void> {
    const value = pythonJsonDumps({ result: [[groupId, null], taskIds.map((id) => [[id, null], null])] });
    await this.run('save group', () =>
      this.expiresSeconds > 0 ? this.redis.setex(groupMetaKey(groupId), this.expiresSeconds, value) : this.redis.set(groupMetaKey(groupId), value),
    );
  }

  /** `GroupResult.restore(id)`: the member task ids of a saved group, or undefined. */
  async restoreGroup(groupId: string): Promise<string[] | undefined> {
    const raw = await this.run('restore group', () => this.redis.get(groupMetaKey(groupId)));
    if (!raw) return undefined;
    const parsed = JSON.parse(raw) as { result?: [[string, unknown], unknown[]] };
    const members = parsed.result?.[1] ?? [];
    return members.map((member) => (member as [[string, unknown], unknown])[0][0]);
  }

  /** `GroupResult.delete()`. */
  async deleteGroup(groupId: string): Promise<void> {
    await this.run('delete group', () => this.redis.del(groupMetaKey(groupId)));
  }

  /** `set_chord_size`: the `.s` key, stored like a result (`SETEX` + `PUBLISH`, as `set` does). */
  async setChordSize(groupId: string, size: number): Promise<void> {
    const key = chordKeys(groupId).size;
    await this.run('set chord size', async () => {
      const multi = this.redis.multi();
      if (this.expiresSeconds > 0) multi.setex(key, this.expiresSeconds, String(size));
      else multi.set(key, String(size));
      await multi.publish(key, String(size)).exec();
    });
  }

  /**
   * `on_chord_part_return`'s bookkeeping in one `MULTI`: `ZADD .j index part`, `ZCOUNT`, `GET .t`,
   * `GET .s`, and the three `EXPIRE`s. When this part completes the header (ready count ==
   * size + added), returns every part in `group_index` order (`ZRANGE .j 0 -1`); else undefined.
   * A chord without `.s` (its size not known yet) never completes here, as in Celery.
   */
  async chordPartReturned(groupId: string, groupIndex: number | null, part: string): Promise<string[] | undefined> {
    const keys = chordKeys(groupId);
    return this.run('chord part', async () => {
      const multi = this.redis.multi().zadd(keys.join, groupIndex === null ? '+inf' : String(groupIndex), part).zcount(keys.join, '-inf', '+inf').get(keys.total).get(keys.size);
      if (this.expiresSeconds > 0) multi.expire(keys.join, this.expiresSeconds).expire(keys.total, this.expiresSeconds).expire(keys.size, this.expiresSeconds);
      const replies = (await multi.exec()) ?? [];
      const failed = replies.find(([error]) => error);
      if (failed) throw failed[0];
      const ready = Number(replies[1]![1]);
      const added = Number(replies[2]![1] ?? 0);
      const size = replies[3]![1] as string | null;
      if (!size || ready !== Number(size) + added) return undefined;
      return this.redis.zrange(keys.join, 0, -1);
    });
  }

  /** Deletes a chord's `.j`, `.t` and `.s` keys once its callback was sent (or failed). */
  async deleteChord(groupId: string): Promise<void> {
    const keys = chordKeys(groupId);
    await this.run('delete chord', () => this.redis.multi().del(keys.join).del(keys.total).del(keys.size).exec());
  }

  /** Closes the connection. */
  async close(): Promise<void> {
    this.healthy = true;
    await this.redis.quit().catch(() => this.redis.disconnect());
  }

  private async run<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      throw new ResultBackendUnavailableError(this.url, operation, error);
    }
  }
}

/** The `status` of a stored meta without decoding its result. */
function storedState(raw: string): string | undefined {
  try {
    return (JSON.parse(raw) as { status?: string }).status;
  } catch {
    return undefined;
  }
}
