import type { LoggerService } from '@nestjs/common';
import type { Channel, Options } from 'amqplib';
import type { AmqpConnection } from './amqp-connection.js';
import { publishOnChannel, publishOptions } from './amqplib-publish.js';
import { errorText } from './broker-pause.js';
import type { ChannelSlot } from './channel-slot.js';
import { ReusedPublishOptions } from './reused-publish-options.js';

/**
 * Publishes without asking for broker confirms, on a channel of its own: for messages whose loss
 * on a broker crash is acceptable by design, such as rpc replies (transient anyway; Celery does
 * not confirm them either). Failures are logged, never thrown.
 */
export class UnconfirmedPublisher {
  private readonly channel: ChannelSlot<Channel>;
  private readonly reused = new ReusedPublishOptions();

  constructor(
    private readonly connection: AmqpConnection,
    private readonly logger: LoggerService,
  ) {
    this.channel = connection.sharedSlot(
      (model) => model.createChannel(),
      (error) => logger.warn?.(`reply channel error: ${errorText(error)}`),
    );
  }

  /** Opens the channel of a new connection. */
  async open(): Promise<void> {
    await this.channel.get();
  }

  /** Forgets the channel of a lost connection. */
  forget(): void {
    this.channel.clear();
  }

  /** Publishes synchronously when connected; otherwise the message waits for the connection. */
  publish(exchange: string, routingKey: string, content: Buffer, options: Options.Publish): void {
    const channel = this.channel.ready;
    const typed = publishOptions(options);
    if (channel && this.connection.connected) {
      // Plain headers go in the reused objects; a later attempt publishes `typed`.
      const reuse = typed === options && options.headers !== undefined;
      try {
        publishOnChannel(channel, exchange, routingKey, content, reuse ? this.reused.fill(options) : typed);
        return;
      } catch (error) {
        this.logger.warn?.(`unconfirmed publish failed: ${errorText(error)}; retrying once reconnected`);
      } finally {
        if (reuse) this.reused.release();
      }
    }
    void this.connection
      .whenConnected()
      .then(() => this.channel.get())
      .then((ready) => publishOnChannel(ready, exchange, routingKey, content, typed))
      .catch((error: unknown) => this.logger.warn?.(`unconfirmed publish to '${routingKey}' lost: ${errorText(error)}`));
  }
}
