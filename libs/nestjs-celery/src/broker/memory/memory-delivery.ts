import type { ConsumeMessage } from 'amqplib';
import type { Delivery } from '../delivery.js';
import type { QueuedMessage } from './queued-message.js';

/** How a delivery was settled. */
export type Settlement = 'ack' | 'requeue' | 'reject';

/** The consumer a delivery came from (`MemoryConsumer`), which settles it. */
export interface DeliverySettler {
  /** `amq.ctag-…`, as `fields.consumerTag`. */
  readonly tag: string;
  settle(delivery: MemoryDelivery, how: Settlement): void;
}

/** One delivery of a `MemoryConsumer`; settling it twice is ignored with a warning (RabbitMQ would close the channel). */
export class MemoryDelivery implements Delivery {
  readonly message: ConsumeMessage;

  constructor(
    private readonly consumer: DeliverySettler,
    /** The queued message (put back on requeue). */
    readonly queued: QueuedMessage,
    deliveryTag: number,
  ) {
    this.message = {
      content: queued.content,
      fields: {
        consumerTag: consumer.tag,
        deliveryTag,
        redelivered: queued.redelivered,
        exchange: queued.exchange,
        routingKey: queued.routingKey,
      },
      properties: queued.properties,
    };
  }

  /** Acknowledge: the message is forgotten. */
  ack(): void {
    this.consumer.settle(this, 'ack');
  }

  /** Requeue it (delivered again, `redelivered` set), or drop it (dead-lettered where the queue has a DLX). */
  reject(requeue: boolean): void {
    this.consumer.settle(this, requeue ? 'requeue' : 'reject');
  }
}
