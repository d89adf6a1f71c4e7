import type { MessageProperties } from 'amqplib';

/** A message as a client published it to the memory broker (for `awaitPublished` and inspection). */
export interface PublishedMessage {
  exchange: string;
  routingKey: string;
  content: Buffer;
  /** As consumers receive them (amqplib's shape, headers as plain values). */
  properties: MessageProperties;
  /** Queues it was routed to; empty when unroutable (dropped, as RabbitMQ does without `mandatory`). */
  queues: string[];
  /** `Date.now()` of the publish. */
  publishedAt: number;
}
