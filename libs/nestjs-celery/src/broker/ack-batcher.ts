import type { Channel, ConsumeMessage } from 'amqplib';

/**
 * Settles the deliveries of one consumer channel with as few frames as is safe. Rejects go out
 * at once. Acks made in the same tick are sent together at the end of it: the longest run of
 * settled delivery tags from the oldest unsettled one becomes a single `basic.ack` with
 * `multiple: true`; acks above a tag that is still being worked on go out one by one, so a
 * multiple ack never covers a message that is not settled yet.
 *
 * Relies on RabbitMQ numbering the deliveries of a channel 1, 2, 3, … and on the channel having
 * this one consumer (as {@link AmqpBroker} opens them).
 */
export class AckBatcher {
  /** Every delivery tag below this one is settled. */
  private floor = 1;
  /** Settled tags at or above {@link floor}. */
  private readonly settledAbove = new Set<number>();
  /** Acked here, not sent yet. */
  private pending: ConsumeMessage[] = [];
  private scheduled = false;
  private open = true;
  private readonly flushNow = () => this.flush();

  constructor(
    private readonly channel: Channel,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** Acknowledges a delivery at the end of the current tick. */
  ack(message: ConsumeMessage): void {
    if (!this.open) return;
    this.pending.push(message);
    if (!this.scheduled) {
      this.scheduled = true;
      process.nextTick(this.flushNow);
    }
  }

  /** Rejects a delivery now (requeued, or dropped / dead-lettered). */
  reject(message: ConsumeMessage, requeue: boolean): void {
    if (!this.open) return;
    try {
      this.channel.reject(message, requeue);
    } catch (error) {
      this.onError(error);
      return;
    }
    this.settle(message.fields.deliveryTag);
  }

  /** Sends the acks made so far. */
  flush(): void {
    this.scheduled = false;
    const batch = this.pending;
    if (batch.length === 0 || !this.open) return;
    this.pending = [];
    for (const message of batch) this.settle(message.fields.deliveryTag);
    let upTo: ConsumeMessage | undefined;
    for (const message of batch) {
      const tag = message.fields.deliveryTag;
      if (tag < this.floor && (upTo === undefined || tag > upTo.fields.deliveryTag)) upTo = message;
    }
    try {
      if (upTo) this.channel.ack(upTo, true);
      for (const message of batch) {
        if (message.fields.deliveryTag >= this.floor) this.channel.ack(message, false);
      }
    } catch (error) {
      this.onError(error);
    }
  }

  /** The channel closed: the broker requeues whatever was not settled; later calls do nothing. */
  close(): void {
    this.open = false;
    this.pending = [];
    this.settledAbove.clear();
  }

  private settle(tag: number): void {
    if (tag < this.floor) return;
    if (tag !== this.floor) {
      this.settledAbove.add(tag);
      return;
    }
    this.floor++;
    while (this.settledAbove.delete(this.floor)) this.floor++;
  }
}
