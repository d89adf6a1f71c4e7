import type { Channel, ConsumeMessage } from 'amqplib';

/** Acks batched at most, whatever the prefetch (and with an unlimited one). */
const MAX_ACK_BATCH = 64;

function flushThreshold(prefetch: number): number {
  return prefetch > 0 ? Math.min(MAX_ACK_BATCH, Math.max(1, Math.ceil(prefetch / 4))) : MAX_ACK_BATCH;
}

/**
 * Settles the deliveries of one consumer channel with as few frames as is safe. Rejects go out
 * at once. Acks are sent together at the end of the tick they were made in, or sooner, as soon
 * as a quarter of the channel's prefetch window is waiting: a consumer that holds back every ack
 * of a full window until the window is done stalls the broker, which cannot deliver more until
 * acks arrive (with prefetch 100 that stop-and-wait cost W1 up to a third of its throughput). The
 * longest run of settled delivery tags from the oldest unsettled one becomes a single
 * `basic.ack` with `multiple: true`; acks above a tag that is still being worked on go out one
 * by one, so a multiple ack never covers a message that is not settled yet.
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
  /** Acks waiting that make a batch go out before the end of the tick. */
  private flushAt: number;
  private readonly onTick = () => {
    this.scheduled = false;
    this.flush();
  };

  /**
   * @param channel the consumer's channel
   * @param onError called when a frame cannot be sent (the channel is closing)
   * @param prefetch the channel's prefetch count (0: unlimited); see {@link setPrefetch}
   */
  constructor(
    private readonly channel: Channel,
    private readonly onError: (error: unknown) => void,
    prefetch = 0,
  ) {
    this.flushAt = flushThreshold(prefetch);
  }

  /** Follows a change of the channel's prefetch count (a batch never waits for more than a quarter of it). */
  setPrefetch(prefetch: number): void {
    this.flushAt = flushThreshold(prefetch);
  }

  /** Acknowledges a delivery at the end of the current tick, or at once when a quarter of the prefetch window is waiting. */
  ack(message: ConsumeMessage): void {
    if (!this.open) return;
    if (this.pending.push(message) >= this.flushAt) {
      this.flush();
    } else if (!this.scheduled) {
      this.scheduled = true;
      process.nextTick(this.onTick);
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
