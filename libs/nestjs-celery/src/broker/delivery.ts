import type { ConsumeMessage } from 'amqplib';

/**
 * One message received from a queue, with the settlement calls bound to the channel that
 * delivered it. After a reconnect, settling a delivery from the old channel does nothing:
 * the broker has already put the message back for redelivery.
 */
export interface Delivery {
  readonly message: ConsumeMessage;
  /** Acknowledge: the broker forgets the message. */
  ack(): void;
  /**
   * Reject: requeue it, or drop it (dead-letter it where the queue has a DLX). A broker that keeps
   * rejected messages itself (Redis: the `nestjs-celery.dead-letter` list) adds `deadLetterHeaders`
   * (why it was refused) to the kept copy; the others ignore them.
   */
  reject(requeue: boolean, deadLetterHeaders?: Record<string, unknown>): void;
}
