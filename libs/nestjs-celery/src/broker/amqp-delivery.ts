import type { ConsumeMessage } from 'amqplib';
import type { AckBatcher } from './ack-batcher.js';
import type { Delivery } from './delivery.js';

/** A {@link Delivery} from an {@link AmqpBroker} consumer, settled through its channel's {@link AckBatcher}. */
export class AmqpDelivery implements Delivery {
  constructor(
    readonly message: ConsumeMessage,
    private readonly acks: AckBatcher,
  ) {}

  ack(): void {
    this.acks.ack(this.message);
  }

  reject(requeue: boolean): void {
    this.acks.reject(this.message, requeue);
  }
}
