import type { LoggerService } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { ConsumerHandle } from '../broker.js';
import type { Delivery } from '../delivery.js';
import { decodeEnvelope } from './kombu-envelope.js';
import { RedisDelivery, type RedisSettler } from './redis-delivery.js';

/** Settlement of a fanout delivery: there is nothing to settle (kombu's fanout is PUBLISH/SUBSCRIBE). */
const NO_SETTLEMENT: RedisSettler = { ack: () => undefined, reject: () => undefined };

let fanoutTags = 0;

/** How often the subscriber connection is pinged: it reads nothing itself, so a stuck connection would go unnoticed. */
const PING_EVERY_MS = 5_000;
/** A ping unanswered for this long means the subscriber connection is stuck (a paused Redis, a half-open connection). */
const STALLED_PING_MS = 11_000;

/**
 * The consumers of queues bound to fanout exchanges, on one subscriber connection: kombu
 * delivers fanout messages with `PUBLISH` on `/{db}.<exchange>[/<routing key>]` and its
 * consumers `PSUBSCRIBE` the binding's channel (`#` in the binding key becomes `*`). Nothing is
 * kept for a queue without a subscriber, as in kombu.
 */
export class RedisFanout {
  private readonly byPattern = new Map<string, Set<FanoutConsumer>>();
  /** When the unanswered ping was sent; undefined when none is pending. */
  private pingSince?: number;
  private readonly pinger: NodeJS.Timeout;

  constructor(
    private readonly subscriber: Redis,
    private readonly logger: LoggerService,
  ) {
    subscriber.on('pmessageBuffer', (pattern: Buffer, _channel: Buffer, message: Buffer) => this.onMessage(pattern.toString(), message.toString()));
    this.pinger = setInterval(() => this.ping(), PING_EVERY_MS);
    this.pinger.unref();
  }

  /** True while the subscriber connection is ready and answers its pings (ioredis subscribes again after a reconnect). */
  get subscribed(): boolean {
    const stalled = this.pingSince !== undefined && Date.now() - this.pingSince > STALLED_PING_MS;
    return this.subscriber.status === 'ready' && !stalled;
  }

  /** Stops the pings (the broker closes the connection). */
  stop(): void {
    clearInterval(this.pinger);
  }

  private ping(): void {
    if (this.pingSince !== undefined || this.subscriber.status !== 'ready') return;
    this.pingSince = Date.now();
    this.subscriber.ping().then(
      () => (this.pingSince = undefined),
      () => (this.pingSince = undefined),
    );
  }

  /** Starts a consumer of `queue` on `pattern`. */
  async consume(queue: string, pattern: string, onDelivery: (delivery: Delivery) => void): Promise<ConsumerHandle> {
    const consumer: FanoutConsumer = new FanoutConsumer(queue, pattern, onDelivery, (): Promise<void> => this.remove(consumer), () => this.subscribed);
    let consumers = this.byPattern.get(pattern);
    if (!consumers) {
      this.byPattern.set(pattern, (consumers = new Set()));
      await this.subscriber.psubscribe(pattern);
    }
    consumers.add(consumer);
    return consumer;
  }

  private async remove(consumer: FanoutConsumer): Promise<void> {
    const consumers = this.byPattern.get(consumer.pattern);
    if (!consumers?.delete(consumer) || consumers.size > 0) return;
    this.byPattern.delete(consumer.pattern);
    await this.subscriber.punsubscribe(consumer.pattern).catch(() => undefined);
  }

  private onMessage(pattern: string, raw: string): void {
    const consumers = this.byPattern.get(pattern);
    if (!consumers) return;
    let decoded;
    try {
      decoded = decodeEnvelope(raw);
    } catch (error) {
      // kombu logs and skips such a broadcast ("Cannot process event on channel"); nothing is stored to dead-letter
      this.logger.warn?.(`unreadable broadcast on Redis channel pattern '${pattern}' skipped: ${(error as Error).message}`);
      return;
    }
    for (const consumer of consumers) consumer.deliver(decoded);
  }
}

/** One consumer of a fanout-bound queue. */
class FanoutConsumer implements ConsumerHandle {
  private readonly tag = `redis.fanout-${process.pid}-${++fanoutTags}`;
  private nextDeliveryTag = 1;
  private cancelled = false;

  constructor(
    readonly queue: string,
    readonly pattern: string,
    private readonly onDelivery: (delivery: Delivery) => void,
    private readonly onCancel: () => Promise<void>,
    private readonly subscribed: () => boolean,
  ) {}

  /** True while its subscriber connection is up (ioredis subscribes again after a reconnect) and it is not cancelled. */
  get consuming(): boolean {
    return !this.cancelled && this.subscribed();
  }

  async setPrefetch(): Promise<void> {}

  async cancel(): Promise<void> {
    if (this.cancelled) return;
    this.cancelled = true;
    await this.onCancel();
  }

  deliver(decoded: ReturnType<typeof decodeEnvelope>): void {
    if (this.cancelled) return;
    try {
      this.onDelivery(new RedisDelivery(NO_SETTLEMENT, decoded, '', this.tag, this.nextDeliveryTag++));
    } catch {
      // a throwing consumer loses only its own copy of a broadcast
    }
  }
}
