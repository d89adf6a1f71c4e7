import type { ConsumeMessage } from 'amqplib';
import type { Delivery } from '../delivery.js';
import type { DecodedEnvelope } from './kombu-envelope.js';

/** What settles a {@link RedisDelivery}: its consumer. */
export interface RedisSettler {
  ack(delivery: RedisDelivery): void;
  reject(delivery: RedisDelivery, requeue: boolean, deadLetterHeaders?: Record<string, unknown>): void;
}

/** One message read from a Redis list (or a fanout channel), settled through its consumer; settling twice does nothing. */
export class RedisDelivery implements Delivery {
  readonly message: ConsumeMessage;
  private settled = false;

  constructor(
    private readonly settler: RedisSettler,
    /** The decoded kombu envelope. */
    readonly decoded: DecodedEnvelope,
    /** The list it was read from (priority step included), where a requeue puts it back. */
    readonly list: string,
    consumerTag: string,
    deliveryTag: number,
  ) {
    const info = decoded.envelope.properties.delivery_info;
    this.message = {
      content: decoded.content,
      fields: {
        consumerTag,
        deliveryTag,
        redelivered: (info as { redelivered?: unknown }).redelivered === true,
        exchange: info.exchange ?? '',
        routingKey: info.routing_key ?? '',
      },
      properties: decoded.properties,
    };
  }

  /** kombu's delivery tag (a UUID), the key in the `unacked` hash. */
  get tag(): string {
    return this.decoded.envelope.properties.delivery_tag;
  }

  /** True once acked or rejected. */
  get isSettled(): boolean {
    return this.settled;
  }

  /** Acknowledge: the message leaves kombu's `unacked` hash and index. */
  ack(): void {
    if (this.settled) return;
    this.settled = true;
    this.settler.ack(this);
  }

  /** Requeue it (read next, marked redelivered), or move it to the dead-letter list with `deadLetterHeaders`. */
  reject(requeue: boolean, deadLetterHeaders?: Record<string, unknown>): void {
    if (this.settled) return;
    this.settled = true;
    this.settler.reject(this, requeue, deadLetterHeaders);
  }
}
