import type { MessageProperties } from 'amqplib';
import type { MemoryConsumer } from './memory-consumer.js';
import type { Settlement } from './memory-delivery.js';
import { ResourceLockedError } from './memory-broker.errors.js';
import { QueuedMessage } from './queued-message.js';
import { ReadyList } from './ready.list.js';

/** Why a message left its queue for the dead-letter exchange (the `x-death` reason). */
export type DeathReason = 'rejected' | 'expired';

/** What a queue needs from its vhost. */
export interface QueueHost {
  /** Routes a message to the queue's dead-letter exchange, if it has one; otherwise drops it. */
  deadLetter(queue: MemoryQueue, message: QueuedMessage, reason: DeathReason): void;
  /** Deletes the queue (auto-delete, `x-expires`). */
  deleteQueue(queue: MemoryQueue): void;
}

/** The queue attributes that matter in memory, read from its declaration. */
export interface QueueSettings {
  durable: boolean;
  autoDelete: boolean;
  exclusive: boolean;
  /** Connection owning an exclusive queue. */
  owner?: number;
  /** Every queue argument, as declared. */
  arguments: Record<string, unknown>;
  /** `x-message-ttl` in ms. */
  messageTtl?: number;
  /** `x-expires` in ms: deleted after this long without consumers. */
  expires?: number;
  /** `x-max-priority`. */
  maxPriority?: number;
  /** `x-dead-letter-exchange` (`''` is the default exchange). */
  deadLetterExchange?: string;
  /** `x-dead-letter-routing-key`; default: the message's own routing key. */
  deadLetterRoutingKey?: string;
}

/** Deliveries per dispatch run before yielding to the event loop. */
const DISPATCH_BATCH = 1000;
const MAX_TIMER_MS = 2_147_000_000;

/** Queue statistics, like the management UI's. */
export interface QueueStats {
  name: string;
  /** Messages waiting for a consumer. */
  ready: number;
  /** Messages delivered and not yet acked or rejected. */
  unacked: number;
  /** Active (not cancelled) consumers. */
  consumers: number;
}

/**
 * A queue of the memory broker: ready messages in delivery order (priority, then arrival),
 * competing consumers served round-robin within their prefetch windows, requeue to the original
 * position with `redelivered` set, dead-lettering on reject(false) and on TTL expiry,
 * auto-delete after the last consumer and `x-expires` when unused. Deliveries always happen
 * in a later macrotask (`setImmediate`), never inside the publish that queued the message.
 */
export class MemoryQueue {
  /** Delivered, not yet settled (kept by the consumers; counted here). */
  unackedCount = 0;
  private readonly ready = new ReadyList();
  private readonly consumers: MemoryConsumer[] = [];
  private nextConsumer = 0;
  private sequence = 0;
  private dispatchScheduled = false;
  private deleted = false;
  private hadConsumer = false;
  private expiryTimer?: NodeJS.Timeout;
  private expiryAt = Infinity;
  private idleTimer?: NodeJS.Timeout;

  constructor(
    readonly name: string,
    readonly settings: QueueSettings,
    private readonly host: QueueHost,
  ) {
    this.armIdleTimer();
  }

  /** False once deleted. */
  get alive(): boolean {
    return !this.deleted;
  }

  /** Current counts. */
  stats(): QueueStats {
    return { name: this.name, ready: this.ready.length, unacked: this.unackedCount, consumers: this.consumers.length };
  }

  /** Checks that connection `connection` may use this queue (exclusive queues belong to one connection). */
  checkAccess(connection: number): void {
    if (this.settings.exclusive && this.settings.owner !== connection) {
      throw new ResourceLockedError(
        `RESOURCE_LOCKED - cannot obtain exclusive access to locked queue '${this.name}': it is exclusive to another connection`,
      );
    }
  }

  /** A declaration of the existing queue counts as use (`x-expires` starts again). */
  touch(): void {
    this.armIdleTimer();
  }

  /** Queues a published (or dead-lettered) message. */
  enqueue(content: Buffer, properties: MessageProperties, exchange: string, routingKey: string, now: number): void {
    const { maxPriority, messageTtl } = this.settings;
    let priority = 0;
    if (maxPriority !== undefined && typeof properties.priority === 'number') {
      priority = Math.max(0, Math.min(properties.priority, maxPriority));
    }
    let ttl = messageTtl ?? Infinity;
    if (properties.expiration !== undefined) {
      const expiration = Number(properties.expiration);
      if (Number.isFinite(expiration) && expiration >= 0) ttl = Math.min(ttl, expiration);
    }
    // TTL 0 (RabbitMQ): delivered only if a consumer can take it right away, else expired at once.
    const immediate = ttl <= 0;
    const message = new QueuedMessage(content, properties, exchange, routingKey, this.sequence++, priority, immediate ? Infinity : now + ttl);
    if (immediate && (this.ready.length > 0 || !this.consumers.some((c) => c.hasCapacity()))) {
      this.host.deadLetter(this, message, 'expired');
      return;
    }
    this.ready.add(message);
    this.trackExpiry(message.expiresAt);
    this.scheduleDispatch();
  }

  /** Adds a consumer; refused if the queue or an existing consumer is exclusive. */
  addConsumer(consumer: MemoryConsumer): void {
    if (consumer.exclusive && this.consumers.length > 0) {
      throw new ResourceLockedError(`ACCESS_REFUSED - queue '${this.name}' in use: an exclusive consumer needs it alone`);
    }
    if (this.consumers.some((c) => c.exclusive)) {
      throw new ResourceLockedError(`ACCESS_REFUSED - queue '${this.name}' has an exclusive consumer`);
    }
    this.consumers.push(consumer);
    this.hadConsumer = true;
    this.clearIdleTimer();
    this.scheduleDispatch();
  }

  /** Removes a consumer; the last one leaving deletes an auto-delete queue. */
  removeConsumer(consumer: MemoryConsumer): void {
    const index = this.consumers.indexOf(consumer);
    if (index < 0) return;
    this.consumers.splice(index, 1);
    if (this.nextConsumer > index) this.nextConsumer--;
    if (this.consumers.length > 0 || this.deleted) return;
    if (this.settings.autoDelete && this.hadConsumer) this.host.deleteQueue(this);
    else this.armIdleTimer();
  }

  /** Applies a consumer's ack / requeue / reject of a message it was given. */
  settled(message: QueuedMessage, how: Settlement): void {
    this.unackedCount--;
    if (this.deleted) return;
    if (how === 'requeue') {
      message.redelivered = true;
      this.ready.add(message);
      this.trackExpiry(message.expiresAt);
    } else if (how === 'reject') {
      this.host.deadLetter(this, message, 'rejected');
    }
    this.scheduleDispatch();
  }

  /** Takes the next ready message without a consumer (`basic.get` with no-ack). */
  take(): QueuedMessage | undefined {
    this.armIdleTimer();
    const now = Date.now();
    for (let message = this.ready.shift(); message; message = this.ready.shift()) {
      if (message.expiresAt > now) return message;
      this.host.deadLetter(this, message, 'expired');
    }
    return undefined;
  }

  /** Drops every ready message; returns how many. */
  purge(): number {
    return this.ready.removeWhere(() => true).length;
  }

  /** Marks it deleted: no more deliveries, messages and timers dropped. Returns its consumers. */
  destroy(): MemoryConsumer[] {
    this.deleted = true;
    this.ready.removeWhere(() => true);
    this.clearIdleTimer();
    clearTimeout(this.expiryTimer);
    this.expiryTimer = undefined;
    return this.consumers.splice(0);
  }

  /** Runs a dispatch soon (once, however often it is asked). */
  scheduleDispatch(): void {
    if (this.dispatchScheduled || this.deleted) return;
    this.dispatchScheduled = true;
    setImmediate(() => this.dispatch());
  }

  private dispatch(): void {
    this.dispatchScheduled = false;
    const now = Date.now();
    for (let delivered = 0; this.ready.length > 0 && !this.deleted; delivered++) {
      if (delivered === DISPATCH_BATCH) {
        this.scheduleDispatch();
        return;
      }
      const consumer = this.pickConsumer();
      if (!consumer) return;
      const message = this.ready.shift()!;
      if (message.expiresAt <= now) this.host.deadLetter(this, message, 'expired');
      else consumer.deliver(message);
    }
  }

  /** The next consumer with room in its prefetch window, round-robin. */
  private pickConsumer(): MemoryConsumer | undefined {
    const count = this.consumers.length;
    for (let i = 0; i < count; i++) {
      const index = (this.nextConsumer + i) % count;
      const consumer = this.consumers[index]!;
      if (consumer.hasCapacity()) {
        this.nextConsumer = (index + 1) % count;
        return consumer;
      }
    }
    return undefined;
  }

  private trackExpiry(expiresAt: number): void {
    if (!Number.isFinite(expiresAt) || (this.expiryTimer && this.expiryAt <= expiresAt)) return;
    clearTimeout(this.expiryTimer);
    this.expiryAt = expiresAt;
    this.expiryTimer = setTimeout(() => this.expireDue(), Math.min(Math.max(0, expiresAt - Date.now()), MAX_TIMER_MS));
    this.expiryTimer.unref();
  }

  private expireDue(): void {
    this.expiryTimer = undefined;
    this.expiryAt = Infinity;
    if (this.deleted) return;
    const now = Date.now();
    for (const message of this.ready.removeWhere((m) => m.expiresAt <= now)) this.host.deadLetter(this, message, 'expired');
    let next = Infinity;
    for (const message of this.ready.toArray()) next = Math.min(next, message.expiresAt);
    this.trackExpiry(next);
  }

  private armIdleTimer(): void {
    const { expires } = this.settings;
    this.clearIdleTimer();
    if (expires === undefined || this.deleted || this.consumers.length > 0) return;
    this.idleTimer = setTimeout(() => this.host.deleteQueue(this), Math.min(expires, MAX_TIMER_MS));
    this.idleTimer.unref();
  }

  private clearIdleTimer(): void {
    clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
  }
}
