import type { ConsumeMessage } from 'amqplib';
import type { Delivery } from '../delivery.js';
import type { MemoryConsumer } from './memory-consumer.js';
import type { QueuedMessage } from './queued-message.js';

/** One delivery of a {@link MemoryConsumer}; settling it twice is ignored with a warning (RabbitMQ would close the channel). */
export class MemoryDelivery implements Delivery {
  readonly message: ConsumeMessage;

  constructor(
    private readonly consumer: MemoryConsumer,
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
