import type { LoggerService } from '@nestjs/common';
import type { ConfirmChannel, Options } from 'amqplib';
import type { AmqpConnection } from './amqp-connection.js';
import { publishOnChannel, publishOptions } from './amqplib-publish.js';
import { errorText, pause } from './broker-pause.js';
import { BrokerClosedError, PublishNotConfirmedError } from './broker.errors.js';
import type { ChannelSlot } from './channel-slot.js';
import { ReusedPublishOptions } from './reused-publish-options.js';

/**
 * Publishes with publisher confirms on the connection's confirm channel: synchronously while
 * connected, else once connected; a publish the connection drops before its confirm is repeated
 * after the reconnect (at-least-once, like kombu's publish retry).
 */
export class ConfirmedPublisher {
  private readonly channel: ChannelSlot<ConfirmChannel>;
  private readonly reused = new ReusedPublishOptions();

  constructor(
    private readonly connection: AmqpConnection,
    private readonly logger: LoggerService,
    private readonly retries: number,
  ) {
    this.channel = connection.sharedSlot(
      (model) => model.createConfirmChannel(),
      (error) => logger.warn?.(`publish channel error: ${errorText(error)}`),
    );
  }

  /** Opens the confirm channel of a new connection. */
  async open(): Promise<void> {
    await this.channel.get();
  }

  /** Forgets the channel of a lost connection. */
  forget(): void {
    this.channel.clear();
  }

  /** Publishes and resolves once the broker confirmed the message. */
  publish(exchange: string, routingKey: string, content: Buffer, options: Options.Publish): Promise<void> {
    const typed = publishOptions(options);
    const channel = this.channel.ready;
    if (channel === undefined || !this.connection.connected) {
      return this.publishWithRetries(exchange, routingKey, content, typed, 0);
    }
    // Connected: publish synchronously, one promise per message; retries only after a failure.
    return new Promise<void>((resolve, reject) => {
      const onConfirm = (error: unknown) => {
        if (!error) return resolve();
        this.afterFailedPublish(error, exchange, routingKey, 0)
          .then(() => this.publishWithRetries(exchange, routingKey, content, typed, 1))
          .then(resolve, reject);
      };
      // Plain headers go in the reused objects; a repeat after a failure publishes `typed`.
      const reuse = typed === options && options.headers !== undefined;
      try {
        publishOnChannel(channel, exchange, routingKey, content, reuse ? this.reused.fill(options) : typed, onConfirm);
      } catch (error) {
        onConfirm(error);
      } finally {
        if (reuse) this.reused.release();
      }
    });
  }

  private async publishWithRetries(
    exchange: string,
    routingKey: string,
    content: Buffer,
    options: Options.Publish,
    firstAttempt: number,
  ): Promise<void> {
    for (let attempt = firstAttempt; ; attempt++) {
      await this.connection.whenConnected();
      try {
        // Opening the channel can fail like the publish itself (connection lost, or closed by close()).
        const channel = await this.channel.get();
        await new Promise<void>((resolve, reject) => {
          publishOnChannel(channel, exchange, routingKey, content, options, (err) => (err ? reject(err) : resolve()));
        });
        return;
      } catch (error) {
        await this.afterFailedPublish(error, exchange, routingKey, attempt);
      }
    }
  }

  /** Throws the error a failed publish ends with, or waits a moment when it should be repeated after a reconnect. */
  private async afterFailedPublish(error: unknown, exchange: string, routingKey: string, attempt: number): Promise<void> {
    const text = errorText(error);
    const connectionLost = !this.connection.connected || /channel closed|Channel ended|Connection closed/i.test(text);
    const channelError = /NOT_FOUND|PRECONDITION_FAILED|ACCESS_REFUSED|RESOURCE_LOCKED|nack/i.test(text);
    if (this.connection.closed) throw new BrokerClosedError('the broker connection was closed during publish');
    if (!connectionLost || channelError || attempt >= this.retries) {
      throw new PublishNotConfirmedError(
        `publish to exchange '${exchange}' with routing key '${routingKey}' was not confirmed: ${text}`,
        { cause: error },
      );
    }
    this.logger.warn?.(`publish not confirmed (${text}); repeating after reconnect (attempt ${attempt + 1})`);
    await pause(50);
  }
}
