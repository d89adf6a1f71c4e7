import type { MessageProperties } from 'amqplib';

/**
 * One message in one queue (a publish routed to two queues is two of these, sharing the
 * content and properties, which are never changed after publish).
 */
export class QueuedMessage {
  /** True once it was delivered and put back (rejected with requeue, or its consumer's connection closed). */
  redelivered = false;

  constructor(
    readonly content: Buffer,
    readonly properties: MessageProperties,
    /** Exchange it was published (or dead-lettered) to. */
    readonly exchange: string,
    /** Routing key it was published (or dead-lettered) with. */
    readonly routingKey: string,
    /** Position in its queue: requeued messages go back to it. */
    readonly seq: number,
    /** Delivery priority: higher first (0 unless the queue has `x-max-priority`). */
    readonly priority: number,
    /** `Date.now()` after which it expires (queue `x-message-ttl` / message `expiration`), or Infinity. */
    readonly expiresAt: number,
  ) {}
}
