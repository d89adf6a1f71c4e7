import type { LoggerService } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { ConsumeOptions, ConsumerHandle } from '../broker.js';
import type { Delivery } from '../delivery.js';
import { decodeEnvelope, InvalidEnvelopeError } from './kombu-envelope.js';
import type { KombuKeys } from './kombu-keys.js';
import { LuaScript } from './lua-script.js';
import { RedisBrokerMessages } from './redis-broker.messages.js';
import { RedisDelivery, type RedisSettler } from './redis-delivery.js';
import { POP_SCRIPT } from './redis-scripts.js';
import type { UnackedLedger } from './unacked-ledger.js';

const POP = new LuaScript(POP_SCRIPT);

/** Most messages one pop takes (an unlimited prefetch still reads in batches). */
const BATCH = 100;

/** Seconds a blocking read waits before the loop looks again (cancel, prefetch changes). */
const BLOCK_SECONDS = 1;

/**
 * A read that has not returned after this long means the connection is stuck: a half-open TCP
 * connection or a Redis that stopped answering gives no error, the read just never returns.
 */
const STALLED_READ_MS = BLOCK_SECONDS * 1000 + 10_000;

/** What a list consumer needs from its broker. */
export interface ListConsumerHost {
  readonly keys: KombuKeys;
  readonly ledger: UnackedLedger;
  readonly logger: LoggerService;
  /** Moves an unreadable list entry to the dead-letter list, with the reason; logs one line. */
  deadLetterRaw(queue: string, list: string, raw: string, reason: string, detail: string): Promise<void>;
  /** Settles a delivery that is not an ack (requeue or dead-letter). */
  reject(delivery: RedisDelivery, requeue: boolean, deadLetterHeaders?: Record<string, unknown>): void;
}

let consumerTags = 0;

/**
 * Consumes one queue's lists (all priority steps) on its own connection, as kombu's `BRPOP`
 * reads them: up to `prefetch` messages at a time are popped and recorded as unacked in one
 * script; once a pop finds the lists empty, a blocking `BRPOP` waits for the next message, which
 * the following pop records as unacked while taking the ones behind it.
 */
export class RedisListConsumer implements ConsumerHandle, RedisSettler {
  readonly tag = `redis.ctag-${process.pid}-${++consumerTags}`;
  private prefetch: number;
  private readonly noAck: boolean;
  private inFlight = 0;
  private nextDeliveryTag = 1;
  private cancelled = false;
  private failing = false;
  /** When the pending read (pop, BRPOP, unacked record) was sent; undefined between reads. */
  private readSince?: number;
  private wake?: () => void;
  private readonly loop: Promise<void>;

  constructor(
    readonly queue: string,
    private readonly redis: Redis,
    private readonly host: ListConsumerHost,
    private readonly onDelivery: (delivery: Delivery) => void,
    options: ConsumeOptions,
  ) {
    this.prefetch = options.prefetch;
    this.noAck = options.noAck ?? false;
    this.loop = this.run();
  }

  /**
   * True while it reads its lists: not cancelled, its connection ready, its last read did not
   * fail and the pending one is not stalled (longer than a blocking read plus 10 s).
   */
  get consuming(): boolean {
    const stalled = this.readSince !== undefined && Date.now() - this.readSince > STALLED_READ_MS;
    return !this.cancelled && !this.failing && !stalled && this.redis.status === 'ready';
  }

  /** Changes the prefetch (e.g. while ETA tasks are held). */
  async setPrefetch(count: number): Promise<void> {
    this.prefetch = count;
    this.wake?.();
  }

  /** Stops reading; resolves once the last read returned (at most about a second). */
  async cancel(): Promise<void> {
    this.cancelled = true;
    this.wake?.();
    await this.loop;
  }

  ack(delivery: RedisDelivery): void {
    this.settled();
    if (!this.noAck) this.host.ledger.ack(delivery.tag);
  }

  reject(delivery: RedisDelivery, requeue: boolean, deadLetterHeaders?: Record<string, unknown>): void {
    this.settled();
    if (!this.noAck || !requeue) this.host.reject(delivery, requeue, deadLetterHeaders);
  }

  private settled(): void {
    if (this.noAck) return;
    this.inFlight--;
    this.wake?.();
  }

  private capacity(): number {
    if (this.noAck || this.prefetch <= 0) return BATCH;
    return Math.min(BATCH, this.prefetch - this.inFlight);
  }

  private async run(): Promise<void> {
    const lists = this.host.keys.queueLists(this.queue);
    // the last pop found the lists empty: wait with BRPOP
    let drained = false;
    while (!this.cancelled) {
      const want = this.capacity();
      if (want <= 0) {
        await new Promise<void>((resolve) => (this.wake = resolve));
        this.wake = undefined;
        drained = false;
        continue;
      }
      try {
        this.readSince = Date.now();
        if (!drained) {
          const popped = await this.pop(lists, want);
          this.readSince = undefined;
          this.failing = false;
          drained = popped.length === 0;
          this.deliverAll(popped);
          continue;
        }
        drained = await this.takeBlocking(lists, want);
        this.readSince = undefined;
        this.failing = false;
      } catch (error) {
        this.readSince = undefined;
        if (this.cancelled) break;
        this.failing = true;
        this.host.logger.warn?.(RedisBrokerMessages.consumerFailed(this.queue, (error as Error).message));
        drained = false;
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    }
  }

  /**
   * Waits with BRPOP (up to BLOCK_SECONDS) and takes up to `want` messages; resolves true when the
   * lists were empty after it. One round trip either way: without acks the pop is sent behind the
   * BRPOP and runs as soon as it returns; with acks the pop also records the message BRPOP took.
   */
  private async takeBlocking(lists: string[], want: number): Promise<boolean> {
    if (this.noAck) {
      const [blocked, popped] = await Promise.allSettled([this.redis.brpop(...lists, BLOCK_SECONDS), this.pop(lists, want - 1)]);
      if (blocked.status === 'fulfilled' && blocked.value) this.deliver(blocked.value[0], blocked.value[1]);
      if (popped.status === 'fulfilled') this.deliverAll(popped.value);
      if (blocked.status === 'rejected') throw blocked.reason;
      if (popped.status === 'rejected') throw popped.reason;
      return popped.value.length === 0;
    }
    const blocked = await this.redis.brpop(...lists, BLOCK_SECONDS);
    if (!blocked) return true;
    const popped = await this.pop(lists, want - 1, blocked[1]);
    this.deliver(blocked[0], blocked[1]);
    this.deliverAll(popped);
    return popped.length === 0;
  }

  /** Pops up to `want` messages, recording them (and `blocked`, taken by BRPOP) as unacked; `[list, payload, …]`. */
  private async pop(lists: string[], want: number, blocked?: string): Promise<string[]> {
    const { keys } = this.host;
    const args: (string | number)[] = [want, Date.now() / 1000, this.noAck ? '1' : '0'];
    if (blocked !== undefined) args.push(blocked);
    return (await POP.run(this.redis, [keys.unacked, keys.unackedIndex, ...lists], args)) as string[];
  }

  private deliverAll(popped: string[]): void {
    for (let i = 0; i < popped.length; i += 2) this.deliver(popped[i]!, popped[i + 1]!);
  }

  private deliver(list: string, raw: string): void {
    let delivery: RedisDelivery;
    try {
      delivery = new RedisDelivery(this, decodeEnvelope(raw), list, this.tag, this.nextDeliveryTag++);
    } catch (error) {
      const reason = error instanceof InvalidEnvelopeError ? error.reason : 'invalid-envelope';
      void this.host.deadLetterRaw(this.queue, list, raw, reason, (error as Error).message);
      return;
    }
    if (!this.noAck) {
      this.inFlight++;
      this.host.ledger.delivered(delivery.tag);
    }
    try {
      this.onDelivery(delivery);
    } catch (error) {
      this.host.logger.warn?.(`consumer of Redis queue '${this.queue}' threw: ${(error as Error).message}; the message stays unacknowledged`);
    }
  }
}
