import type { Redis } from 'ioredis';
import type { KombuKeys } from './kombu-keys.js';
import { envelopePriority, type KombuEnvelope } from './kombu-envelope.js';
import { LuaScript } from './lua-script.js';
import type { RedisRouter } from './redis-router.js';
import { RESTORE_SCRIPT } from './redis-scripts.js';
import { withMutex } from './redis-mutex.js';

const RESTORE = new LuaScript(RESTORE_SCRIPT);

/** kombu's `unacked_mutex_expire` (300 s). */
const MUTEX_EXPIRE_MS = 300_000;

/** The envelope of a restored message: kombu marks it redelivered (`_do_restore_message`). */
export function redeliveredPayload(envelope: KombuEnvelope): string {
  const copy: KombuEnvelope = {
    ...envelope,
    headers: { ...envelope.headers, redelivered: true },
    properties: { ...envelope.properties, delivery_info: { ...envelope.properties.delivery_info, redelivered: true } as KombuEnvelope['properties']['delivery_info'] },
  };
  return JSON.stringify(copy);
}

/**
 * kombu's acknowledgement emulation on Redis (`QoS` of kombu/transport/redis.py): a delivered
 * message stays in the `unacked` hash (tag → `[payload, exchange, routing_key]`) and the
 * `unacked_index` sorted set (tag → delivery time) until acked. Any process restores entries older
 * than the visibility timeout (`restore_visible`, under `unacked_mutex`), so the messages of a
 * killed worker come back. Unlike kombu, this broker keeps the index time of the messages it still
 * holds fresh, so a task held for its ETA is never restored to another worker while its holder lives.
 */
export class UnackedLedger {
  /** Tags delivered by this broker and not settled yet. */
  private readonly held = new Set<string>();
  private pendingAcks: string[] = [];
  private flushing?: Promise<void>;

  constructor(
    private readonly redis: Redis,
    private readonly keys: KombuKeys,
    private readonly router: RedisRouter,
    private readonly visibilityTimeoutMs: number,
    private readonly onError: (error: Error) => void,
  ) {}

  /** Number of held (delivered, unsettled) messages. */
  get heldCount(): number {
    return this.held.size;
  }

  /** A message was delivered to a consumer of this broker (recorded in Redis by the pop script). */
  delivered(tag: string): void {
    this.held.add(tag);
  }

  /** Acknowledges `tag`; acks of one tick go to Redis in one round trip. */
  ack(tag: string): void {
    this.held.delete(tag);
    this.pendingAcks.push(tag);
    if (this.pendingAcks.length === 1) setImmediate(() => void this.flushAcks());
  }

  /** Sends the pending acks now (resolves once Redis applied them). */
  flushAcks(): Promise<void> {
    const tags = this.pendingAcks;
    if (tags.length === 0) return this.flushing ?? Promise.resolve();
    this.pendingAcks = [];
    const done = this.redis
      .multi()
      .zrem(this.keys.unackedIndex, ...tags)
      .hdel(this.keys.unacked, ...tags)
      .exec()
      .then(() => undefined, (error: Error) => this.onError(error));
    this.flushing = done;
    return done;
  }

  /**
   * Settles `tag` by moving `payload` onto `lists` in one step (a requeue, a dead-letter), unless
   * another process restored it first. `next` puts it where it is read next (RPUSH).
   */
  async move(tag: string, payload: string, lists: string[], next = false): Promise<boolean> {
    this.held.delete(tag);
    return (await RESTORE.run(this.redis, [this.keys.unacked, this.keys.unackedIndex, ...lists], [tag, payload, next ? '1' : '0'])) === 1;
  }

  /** Marks the held messages as delivered now, so no process restores them (ZADD XX). */
  async refresh(): Promise<void> {
    if (this.held.size === 0) return;
    const now = Date.now() / 1000;
    const args: (string | number)[] = [];
    for (const tag of this.held) args.push(now, tag);
    await this.redis.zadd(this.keys.unackedIndex, 'XX', ...args);
  }

  /**
   * `restore_visible`: under the mutex, puts back every unacked message older than the visibility
   * timeout onto the queues its exchange and routing key lead to, marked redelivered. Resolves
   * with the number restored.
   */
  async restoreVisible(limit = 100): Promise<number> {
    let restored = 0;
    await withMutex(this.redis, this.keys.unackedMutex, MUTEX_EXPIRE_MS, async () => {
      const ceil = (Date.now() - this.visibilityTimeoutMs) / 1000;
      const tags = await this.redis.zrangebyscore(this.keys.unackedIndex, '-inf', ceil, 'LIMIT', 0, limit);
      for (const tag of tags) {
        if (this.held.has(tag)) continue;
        if (await this.restore(tag, false)) restored++;
      }
    });
    return restored;
  }

  /** Puts back every message this broker still holds (kombu's `restore_at_shutdown`), read next. */
  async restoreHeld(): Promise<void> {
    await this.flushAcks();
    for (const tag of [...this.held]) {
      this.held.delete(tag);
      await this.restore(tag, true);
    }
  }

  /**
   * How many unacked records lead back to each queue, routed as a restore would route them (by
   * their exchange and routing key). Undefined when the hash holds more than `limit` records
   * (reading them all at every monitor refresh would cost Redis more than the number is worth).
   */
  async countByQueue(limit = 10_000): Promise<Map<string, number> | undefined> {
    if ((await this.redis.hlen(this.keys.unacked)) > limit) return undefined;
    const byRoute = new Map<string, number>();
    for (const record of await this.redis.hvals(this.keys.unacked)) {
      try {
        const [, exchange, routingKey] = JSON.parse(record) as [unknown, string, string];
        const route = JSON.stringify([exchange ?? '', routingKey ?? '']);
        byRoute.set(route, (byRoute.get(route) ?? 0) + 1);
      } catch {
        // an unreadable record is counted nowhere (a restore drops it)
      }
    }
    const counts = new Map<string, number>();
    for (const [route, count] of byRoute) {
      const [exchange, routingKey] = JSON.parse(route) as [string, string];
      for (const queue of await this.router.lookup(exchange, routingKey)) counts.set(queue, (counts.get(queue) ?? 0) + count);
    }
    return counts;
  }

  private async restore(tag: string, next: boolean): Promise<boolean> {
    const record = await this.redis.hget(this.keys.unacked, tag);
    if (record === null) {
      await this.redis.zrem(this.keys.unackedIndex, tag);
      return false;
    }
    let lists: string[] = [];
    let payload = '';
    try {
      const [envelope, exchange, routingKey] = JSON.parse(record) as [KombuEnvelope, string, string];
      payload = redeliveredPayload(envelope);
      const queues = await this.router.lookup(exchange ?? '', routingKey ?? '');
      lists = queues.map((queue) => this.keys.queue(queue, envelopePriority(envelope)));
    } catch {
      // an unreadable record is removed (kombu logs it as "Could not restore message" and drops it too)
    }
    return (await RESTORE.run(this.redis, [this.keys.unacked, this.keys.unackedIndex, ...lists], [tag, payload, next ? '1' : '0'])) === 1;
  }
}
