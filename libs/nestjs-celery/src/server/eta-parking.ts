import type { LoggerService } from '@nestjs/common';
import type { Broker } from '../broker/broker.js';
import type { Delivery } from '../broker/delivery.js';
import { QUEUE_TYPE_ARGUMENT, type QueueDeclaration, type QueueType } from '../broker/topology.js';

/** RabbitMQ's default `consumer_timeout` (30 min); the default hold limit is half of it. */
export const DEFAULT_ETA_HOLD_LIMIT_MS = 15 * 60_000;

/** The parking queue of a worker queue. */
export function etaParkingQueueName(queue: string): string {
  return `${queue}.eta-parking`;
}

/**
 * Keeps far-future ETA tasks off the consumer. RabbitMQ closes a consumer's channel when a
 * delivery stays unacknowledged longer than its `consumer_timeout` (30 min by default, 3.8.15+),
 * and every other unacknowledged delivery on that channel is redelivered. Celery holds ETA tasks
 * unacknowledged however far off they are; a `countdown` of an hour then breaks the channel.
 *
 * A task whose ETA is more than `holdLimitMs` away is *parked* instead: republished (same body
 * and properties, confirmed) to `<queue>.eta-parking`, a durable queue with `x-message-ttl` =
 * `holdLimitMs` that dead-letters back to `<queue>` through the default exchange, and only then
 * acknowledged. It comes back after `holdLimitMs`, is parked again while still too far off, and
 * is held as usual once its ETA is near. A per-message `expiration` still applies while parked.
 * The `x-death` header of an earlier round is left out of the copy (RabbitMQ writes a new one).
 * The parking queue of a quorum queue is a quorum queue too (replicated like the queue it serves,
 * with at-least-once dead-lettering back; RabbitMQ 3.10+).
 * When parking fails (say the parking queue exists with another TTL), the worker says so once and
 * holds that queue's ETA tasks as Celery would, so nothing is lost.
 */
export class EtaParking {
  private readonly declared = new Set<string>();
  /** Parking queues that failed: not tried again (one log line), their tasks are held instead. */
  private readonly failed = new Set<string>();

  /**
   * @param queueTypeOf the type of a worker queue, which its parking queue takes
   */
  constructor(
    private readonly broker: Broker,
    private readonly holdLimitMs: number,
    private readonly logger: LoggerService,
    private readonly queueTypeOf: (queue: string) => QueueType | undefined = () => undefined,
  ) {}

  /** True when the task should be parked rather than held: its ETA is further off than the hold limit. */
  shouldPark(eta: Date, now = Date.now()): boolean {
    return eta.getTime() - now > this.holdLimitMs;
  }

  /**
   * Moves `delivery` from `queue` to its parking queue and acknowledges it once the broker
   * confirmed the copy. Resolves false, with the delivery untouched, when that failed.
   */
  async park(queue: string, delivery: Delivery): Promise<boolean> {
    const { message } = delivery;
    const parking = etaParkingQueueName(queue);
    if (this.failed.has(parking)) return false;
    try {
      if (!this.declared.has(parking)) {
        await this.broker.declare({ queues: [this.parkingQueue(queue)] });
        this.declared.add(parking);
      }
      const { 'x-death': _previousRound, ...headers } = (message.properties.headers ?? {}) as Record<string, unknown>;
      await this.broker.publish('', parking, message.content, { ...message.properties, headers });
    } catch (error) {
      this.failed.add(parking);
      this.logger.warn?.(`cannot park ETA tasks in '${parking}' (${(error as Error).message}); holding them unacknowledged instead`);
      return false;
    }
    delivery.ack();
    return true;
  }

  private parkingQueue(queue: string): QueueDeclaration {
    const deadLetterBack = { 'x-message-ttl': this.holdLimitMs, 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': queue };
    // a quorum queue dead-letters at most once unless told otherwise; at-least-once needs reject-publish
    const quorum = { [QUEUE_TYPE_ARGUMENT]: 'quorum', 'x-dead-letter-strategy': 'at-least-once', 'x-overflow': 'reject-publish' };
    return {
      name: etaParkingQueueName(queue),
      durable: true,
      autoDelete: false,
      exclusive: false,
      arguments: this.queueTypeOf(queue) === 'quorum' ? { ...deadLetterBack, ...quorum } : deadLetterBack,
    };
  }
}
