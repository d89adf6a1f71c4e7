import type { LoggerService } from '@nestjs/common';
import type { Channel, ChannelModel, ConsumeMessage } from 'amqplib';
import { AckBatcher } from './ack-batcher.js';
import type { AmqpConnection } from './amqp-connection.js';
import { declareOn } from './amqp-declare.js';
import { AmqpDelivery } from './amqp-delivery.js';
import { errorText, pause } from './broker-pause.js';
import type { ConsumeOptions, ConsumerHandle } from './broker.js';
import { applyPrefetch } from './consumer-qos.js';
import type { Declaration } from './declaration.js';
import type { Delivery } from './delivery.js';
import { isQuorumQueue } from './topology.js';

interface ConsumerRegistration {
  queue: string;
  options: ConsumeOptions;
  onDelivery: (delivery: Delivery) => void;
  channel?: Channel;
  consumerTag?: string;
  /** The ack batcher of the current channel (its batch size follows the prefetch). */
  acks?: AckBatcher;
  prefetch: number;
  /** The prefetch the running consumer was started with (per-consumer QoS cannot change it in place). */
  startedPrefetch?: number;
  /** A re-consume in progress (per-consumer QoS), so changes do not overlap. */
  reconsuming?: Promise<void>;
  cancelled: boolean;
}

/**
 * The broker's consumers, each on a channel of its own through `Channel#consume`: started on
 * every new connection, restarted when their channel closes or the broker cancels them, until
 * cancelled.
 */
export class AmqpConsumers {
  private readonly registrations = new Set<ConsumerRegistration>();
  /** The ack batchers of every open consumer channel, cancelled consumers' included: flushed on close. */
  private readonly ackBatchers = new Set<AckBatcher>();

  /**
   * @param declarationOf the recorded declaration of a queue, declared again before a consumer of it restarts
   */
  constructor(
    private readonly connection: AmqpConnection,
    private readonly logger: LoggerService,
    private readonly declarationOf: (queue: string) => Declaration | undefined,
    private readonly declareChannel: () => Promise<Channel>,
  ) {}

  /** Starts a consumer that survives reconnects. */
  async add(queue: string, onDelivery: (delivery: Delivery) => void, options: ConsumeOptions): Promise<ConsumerHandle> {
    const registration: ConsumerRegistration = { queue, options, onDelivery, prefetch: options.prefetch, cancelled: false };
    this.registrations.add(registration);
    try {
      await this.connection.whenConnected();
      await this.connection.whileOpen(this.start(registration), 'consume');
    } catch (error) {
      // The caller gets no handle to cancel with: this consumer must not start on a later reconnect.
      registration.cancelled = true;
      this.registrations.delete(registration);
      throw error;
    }
    return {
      queue,
      get consuming() {
        return !registration.cancelled && registration.consumerTag !== undefined;
      },
      setPrefetch: async (count: number) => {
        registration.prefetch = count;
        registration.acks?.setPrefetch(count);
        if (!registration.channel) return;
        if (this.perConsumerQos(registration)) await this.reconsume(registration);
        else await applyPrefetch(registration.channel, count).catch(() => undefined);
      },
      cancel: async () => {
        registration.cancelled = true;
        this.registrations.delete(registration);
        const { channel, consumerTag } = registration;
        if (channel && consumerTag) await channel.cancel(consumerTag).catch(() => undefined);
      },
    };
  }

  /** Starts every consumer on a new connection. */
  async startAll(): Promise<void> {
    for (const registration of this.registrations) await this.start(registration);
  }

  /** Forgets the channels of a lost connection. */
  forgetChannels(): void {
    for (const registration of this.registrations) {
      registration.channel = undefined;
      registration.consumerTag = undefined;
    }
  }

  /** On close: sends the pending acks, and no consumer restarts any more. */
  stopAll(): void {
    for (const acks of this.ackBatchers) acks.flush();
    for (const registration of this.registrations) registration.cancelled = true;
    this.registrations.clear();
  }

  private async start(registration: ConsumerRegistration): Promise<void> {
    if (registration.cancelled) return;
    const connection = this.connection.current;
    const channel = await connection.createChannel();
    this.connection.track(channel);
    channel.on('error', (error: unknown) =>
      this.logger.warn?.(`consumer channel for queue '${registration.queue}' failed: ${errorText(error)}`),
    );
    channel.on('close', () => {
      if (registration.channel !== channel) return;
      registration.channel = undefined;
      registration.consumerTag = undefined;
      // Closed while the connection lives (e.g. a protocol error): resume after a pause.
      if (!registration.cancelled && !this.connection.closed && this.connection.isCurrent(connection)) {
        void pause(500).then(() => this.restart(registration, connection));
      }
    });
    if (registration.prefetch > 0) await applyPrefetch(channel, registration.prefetch, this.perConsumerQos(registration));
    const acks = new AckBatcher(
      channel,
      (error) => this.logger.warn?.(`cannot settle a message of queue '${registration.queue}': ${errorText(error)}`),
      registration.prefetch,
    );
    this.ackBatchers.add(acks);
    channel.on('close', () => {
      acks.close();
      this.ackBatchers.delete(acks);
    });
    registration.acks = acks;
    registration.startedPrefetch = registration.prefetch;
    const consumerTag = await this.subscribe(registration, channel, connection, acks);
    registration.channel = channel;
    registration.consumerTag = consumerTag;
  }

  /** Quorum queues (as declared through this broker) take a per-consumer prefetch only. */
  private perConsumerQos(registration: ConsumerRegistration): boolean {
    const declaration = this.declarationOf(registration.queue);
    return declaration?.kind === 'queue' && isQuorumQueue(declaration.value);
  }

  /** `Channel#consume` on `channel`, handing every delivery to the registration; resolves with the consumer tag. */
  private async subscribe(registration: ConsumerRegistration, channel: Channel, connection: ChannelModel, acks: AckBatcher): Promise<string> {
    const { consumerTag } = await channel.consume(
      registration.queue,
      (message: ConsumeMessage | null) => {
        if (message === null) {
          // Cancelled by the broker (queue deleted, or its leader moved): start again once it exists.
          if (registration.channel !== channel) return;
          this.logger.warn?.(`broker cancelled the consumer of queue '${registration.queue}'; resubscribing`);
          registration.channel = undefined;
          void channel.close().catch(() => undefined);
          void pause(1000).then(() => this.restart(registration, connection));
          return;
        }
        registration.onDelivery(new AmqpDelivery(message, acks));
      },
      { noAck: registration.options.noAck ?? false, exclusive: registration.options.exclusive ?? false },
    );
    return consumerTag;
  }

  /**
   * Per-consumer QoS: a new prefetch takes effect by starting a new consumer with it on the same
   * channel, then cancelling the old one. Deliveries of the old one stay unacknowledged on the
   * channel and are settled there as before; changes are applied one at a time, the last one wins.
   */
  private async reconsume(registration: ConsumerRegistration): Promise<void> {
    if (registration.reconsuming) return registration.reconsuming;
    registration.reconsuming = (async () => {
      try {
        while (registration.channel && registration.acks && !registration.cancelled && registration.startedPrefetch !== registration.prefetch) {
          const { channel, acks, consumerTag: oldTag } = registration;
          const prefetch = registration.prefetch;
          await applyPrefetch(channel, prefetch, true);
          const connection = this.connection.current;
          const tag = await this.subscribe(registration, channel, connection, acks);
          registration.consumerTag = tag;
          registration.startedPrefetch = prefetch;
          if (oldTag) await channel.cancel(oldTag);
        }
      } catch (error) {
        this.logger.warn?.(`cannot change the prefetch of queue '${registration.queue}': ${errorText(error)}`);
      } finally {
        registration.reconsuming = undefined;
      }
    })();
    return registration.reconsuming;
  }

  private async restart(registration: ConsumerRegistration, connection: ChannelModel): Promise<void> {
    if (registration.cancelled || this.connection.closed || !this.connection.isCurrent(connection) || registration.channel) return;
    try {
      const queue = this.declarationOf(registration.queue);
      if (queue) await declareOn(await this.declareChannel(), queue);
      await this.start(registration);
    } catch (error) {
      this.logger.warn?.(`cannot resume consumer of queue '${registration.queue}': ${errorText(error)}`);
      void pause(2000).then(() => this.restart(registration, connection));
    }
  }
}
