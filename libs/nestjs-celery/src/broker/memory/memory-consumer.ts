import type { LoggerService } from '@nestjs/common';
import type { ConsumeOptions, ConsumerHandle } from '../broker.js';
import type { Delivery } from '../delivery.js';
import { MemoryBrokerMessages } from './memory-broker.messages.js';
import { MemoryDelivery, type Settlement } from './memory-delivery.js';
import type { QueuedMessage } from './queued-message.js';

/** The queue a consumer takes its messages from (`MemoryQueue`), as the consumer uses it. */
export interface ConsumerSource {
  readonly name: string;
  /** Messages delivered and not yet settled, over all of the queue's consumers. */
  unackedCount: number;
  scheduleDispatch(): void;
  removeConsumer(consumer: MemoryConsumer): void;
  settled(message: QueuedMessage, how: Settlement): void;
}

/**
 * One consumer of a memory queue, with its own delivery tags and prefetch window (as one AMQP
 * channel per consumer, the way `AmqpBroker` consumes). After `cancel()` its unacknowledged
 * deliveries can still be settled; when its connection closes they go back to the queue.
 */
export class MemoryConsumer implements ConsumerHandle {
  readonly noAck: boolean;
  readonly exclusive: boolean;
  private prefetch: number;
  private nextDeliveryTag = 1;
  private readonly unacked = new Map<number, MemoryDelivery>();
  private cancelled = false;
  private closed = false;

  /** True until cancelled (the memory broker never loses its connection). */
  get consuming(): boolean {
    return !this.cancelled;
  }

  constructor(
    private readonly source: ConsumerSource,
    /** `amq.ctag-…`, as `fields.consumerTag`. */
    readonly tag: string,
    private readonly onDelivery: (delivery: Delivery) => void,
    options: ConsumeOptions,
    private readonly logger: LoggerService,
    /** Called once the consumer is cancelled and has nothing left to settle. */
    private readonly onDone: (consumer: MemoryConsumer) => void,
  ) {
    this.noAck = options.noAck ?? false;
    this.exclusive = options.exclusive ?? false;
    this.prefetch = options.prefetch;
  }

  /** Name of the consumed queue. */
  get queue(): string {
    return this.source.name;
  }

  /** Deliveries not yet acked or rejected. */
  get unackedCount(): number {
    return this.unacked.size;
  }

  /** True when the broker may push it another message. */
  hasCapacity(): boolean {
    return this.noAck || this.prefetch <= 0 || this.unacked.size < this.prefetch;
  }

  /** Changes the prefetch window; a larger one gets more messages at once. */
  async setPrefetch(count: number): Promise<void> {
    this.prefetch = count;
    this.source.scheduleDispatch();
  }

  /** Stops delivery. Unsettled deliveries stay with the caller. */
  async cancel(): Promise<void> {
    if (this.cancelled) return;
    this.cancelled = true;
    this.source.removeConsumer(this);
    if (this.unacked.size === 0) this.onDone(this);
  }

  /** Hands a message to the callback (from the queue's dispatch, never inside a publish). */
  deliver(queued: QueuedMessage): void {
    const delivery = new MemoryDelivery(this, queued, this.nextDeliveryTag++);
    if (!this.noAck) {
      this.unacked.set(delivery.message.fields.deliveryTag, delivery);
      this.source.unackedCount++;
    }
    try {
      this.onDelivery(delivery);
    } catch (error) {
      this.logger.warn?.(MemoryBrokerMessages.consumerThrew(this.queue, (error as Error).message));
    }
  }

  /** Applies an ack or reject of one of its deliveries. */
  settle(delivery: MemoryDelivery, how: Settlement): void {
    if (this.noAck || this.closed) return;
    const { deliveryTag } = delivery.message.fields;
    if (!this.unacked.delete(deliveryTag)) {
      this.logger.warn?.(MemoryBrokerMessages.settledTwice(deliveryTag, this.queue));
      return;
    }
    this.source.settled(delivery.queued, how);
    if (this.cancelled && this.unacked.size === 0) this.onDone(this);
  }

  /** The connection closed: stop, and put every unacknowledged message back (redelivered). */
  close(): void {
    if (this.closed) return;
    this.cancelled = true;
    this.closed = true;
    const pending = [...this.unacked.values()];
    this.unacked.clear();
    for (const delivery of pending) this.source.settled(delivery.queued, 'requeue');
    this.source.removeConsumer(this);
  }
}
