import { Logger, type LoggerService } from '@nestjs/common';
import type { Channel, Options } from 'amqplib';
import type { Observable } from 'rxjs';
import { AmqpConnection } from './amqp-connection.js';
import { AmqpConsumers } from './amqp-consumers.js';
import { asTopologyMismatch, declareOn, declareOrMismatch } from './amqp-declare.js';
import { brokerUrlList, resolveBrokerConnection, type BrokerConnectionOptions, type BrokerUrls } from './broker-connection.options.js';
import { describeUrlValue } from './broker-url.redaction.js';
import { BrokerClosedError, BrokerUnavailableError } from './broker.errors.js';

import type { Broker, BrokerStatus, ConsumeOptions, ConsumerHandle } from './broker.js';
import { ConfirmedPublisher } from './confirmed-publisher.js';
import { DeclarationRegistry } from './declaration-registry.js';
import type { Delivery } from './delivery.js';
import type { QueueDepth } from './queue-depth.js';
import type { Topology } from './topology.js';
import { UnconfirmedPublisher } from './unconfirmed-publisher.js';

export type { BrokerStatus, ConsumeOptions, ConsumerHandle } from './broker.js';
export { RECONNECT_LOG_WINDOW_MS } from './amqp-connection.js';

/**
 * Options of an {@link AmqpBroker}: the URL(s), and every connection setting of
 * {@link BrokerConnectionOptions} (TLS, heartbeat, timeouts, frame and channel limits, vhost,
 * client properties, failover and reconnect backoff).
 */
export interface AmqpBrokerOptions extends BrokerConnectionOptions {
  /**
   * `amqp://user:pass@host:port/vhost` or `amqps://…`; Celery's `//` suffix means vhost `/`. A
   * cluster: a kombu-style list `'amqp://a//;amqp://b//'` or an array, tried in `failoverStrategy` order.
   */
  url: BrokerUrls;
  /** Shown in RabbitMQ's management UI. Default `nestjs-celery`. */
  connectionName?: string;
  /** Same as `operationTimeoutMs` (the older name): how long an operation waits for a (re)connection. */
  connectTimeoutMs?: number;
  /** How many times a publish is repeated when the connection drops before its confirm. Default 5. */
  publishRetries?: number;
  logger?: LoggerService;
}

/** The URL list of an `AmqpBroker`, each an `amqp://` or `amqps://` URL (a TypeError, with secrets masked, otherwise). */
function amqpUrls(url: unknown): string[] {
  const urls = typeof url === 'string' || Array.isArray(url) ? brokerUrlList(url as BrokerUrls) : [];
  const bad = urls.find((one) => typeof one !== 'string' || !/^amqps?:\/\//.test(one));
  if (urls.length === 0 || bad !== undefined) {
    throw new TypeError(`AmqpBroker: option 'url' must be an amqp:// or amqps:// URL (or a list of them), got ${describeUrlValue(bad ?? url)}`);
  }
  return urls;
}

/**
 * The RabbitMQ {@link Broker}: one AMQP connection ({@link AmqpConnection}) with publisher
 * confirms ({@link ConfirmedPublisher}), unconfirmed replies ({@link UnconfirmedPublisher}),
 * idempotent topology declaration ({@link DeclarationRegistry}) and consumers
 * ({@link AmqpConsumers}). After a lost connection it reconnects with backoff, declares every
 * recorded entity again and resumes every consumer.
 */
export class AmqpBroker implements Broker {
  private readonly connection: AmqpConnection;
  private readonly declarations = new DeclarationRegistry();
  private readonly confirmed: ConfirmedPublisher;
  private readonly unconfirmed: UnconfirmedPublisher;
  private readonly consumers: AmqpConsumers;
  private declareChannel?: Promise<Channel>;

  constructor(options: AmqpBrokerOptions) {
    const urls = amqpUrls(options.url);
    const logger = options.logger ?? new Logger('CeleryBroker');
    const settings = resolveBrokerConnection(urls, {
      ...options,
      operationTimeoutMs: options.operationTimeoutMs ?? options.connectTimeoutMs,
    });
    this.connection = new AmqpConnection(
      { ...settings, connectionName: options.connectionName ?? 'nestjs-celery' },
      logger,
      {
        setUp: () => this.setUp(),
        lost: () => this.forgetChannels(),
        closing: () => this.consumers.stopAll(),
      },
    );
    this.confirmed = new ConfirmedPublisher(this.connection, logger, options.publishRetries ?? 5);
    this.unconfirmed = new UnconfirmedPublisher(this.connection, logger);
    this.consumers = new AmqpConsumers(
      this.connection,
      logger,
      (queue) => this.declarations.queue(queue),
      () => this.getDeclareChannel(),
    );
  }

  /** Connection state changes: `connecting`, `connected`, `reconnecting`, `closed`. */
  get status$(): Observable<BrokerStatus> {
    return this.connection.status$;
  }

  /** The current connection state. */
  get status(): BrokerStatus {
    return this.connection.status;
  }

  /**
   * Fatal connection failures ({@link BrokerAuthenticationError}, {@link BrokerConfigurationError},
   * {@link TopologyMismatchError} on re-declaration): reconnecting stops, every waiting operation
   * rejects with the error, and the next operation tries once more.
   */
  get failure$(): Observable<Error> {
    return this.connection.failure$;
  }

  /** Connects (if not yet connected) and resolves once connected, or rejects after the connect timeout. */
  async connect(): Promise<void> {
    if (this.connection.closed) throw new BrokerClosedError('AmqpBroker.connect(): the broker was closed');
    await this.connection.whenConnected();
  }

  /**
   * Resolves when connected; rejects with {@link BrokerUnavailableError} after `connectTimeoutMs`,
   * {@link BrokerClosedError} after `close()`, or at once with a fatal error (see {@link failure$}).
   */
  whenConnected(timeoutMs?: number): Promise<void> {
    return this.connection.whenConnected(timeoutMs);
  }

  /**
   * Declares exchanges, queues and bindings, once each, and records them so they are declared
   * again after a reconnect. A name declared again with other attributes fails with
   * {@link TopologyMismatchError}, locally or from the broker (406), never a hang.
   */
  async declare(topology: Topology): Promise<void> {
    const fresh = this.declarations.unknownOf(topology);
    if (fresh.length === 0) return;
    await this.connection.whenConnected();
    const channel = await this.connection.whileOpen(this.getDeclareChannel(), 'declare');
    for (const declaration of fresh) {
      try {
        await declareOn(channel, declaration);
      } catch (error) {
        this.declareChannel = undefined;
        if (this.connection.closed) throw this.connection.closedDuring('declare');
        throw asTopologyMismatch(declaration, error) ?? this.connection.rpcFailure(error, 'declare');
      }
      this.declarations.record(declaration);
    }
  }

  /** True when a queue of this name was declared through this broker (with any attributes). */
  hasQueue(name: string): boolean {
    return this.declarations.hasQueue(name);
  }

  /**
   * Publishes and resolves once the broker confirmed the message. Waits for the connection, and
   * repeats the publish if the connection drops before the confirm.
   */
  publish(exchange: string, routingKey: string, content: Buffer, options: Options.Publish): Promise<void> {
    return this.confirmed.publish(exchange, routingKey, content, options);
  }

  /**
   * Publishes without waiting for (or asking for) a broker confirm, on a separate channel: for
   * messages whose loss on a broker crash is acceptable by design, such as rpc replies.
   * Synchronous when connected; otherwise the message waits for the connection like
   * {@link publish}. Failures are logged, never thrown.
   */
  publishUnconfirmed(exchange: string, routingKey: string, content: Buffer, options: Options.Publish): void {
    this.unconfirmed.publish(exchange, routingKey, content, options);
  }

  /** Starts a consumer that survives reconnects. */
  consume(queue: string, onDelivery: (delivery: Delivery) => void, options: ConsumeOptions): Promise<ConsumerHandle> {
    return this.consumers.add(queue, onDelivery, options);
  }

  /** Each queue's ready messages and consumers, by a passive declare on a channel of its own; a missing queue is left out. */
  async queueDepths(names: readonly string[]): Promise<QueueDepth[]> {
    await this.connection.whenConnected();
    const depths: QueueDepth[] = [];
    let channel: Channel | undefined;
    for (const name of names) {
      try {
        if (!channel) {
          channel = await this.connection.current.createChannel();
          channel.on('error', () => undefined);
        }
        const { messageCount, consumerCount } = await channel.checkQueue(name);
        depths.push({ name, messages: messageCount, consumers: consumerCount });
      } catch {
        channel = undefined; // a failed passive declare closes the channel
      }
    }
    await channel?.close().catch(() => undefined);
    return depths;
  }

  /** Closes every channel and the connection. Idempotent. Pending operations fail with {@link BrokerClosedError}. */
  close(): Promise<void> {
    return this.connection.close();
  }

  /** A new connection: declare everything recorded, open the publish channels, resume the consumers. */
  private async setUp(): Promise<void> {
    this.forgetChannels();
    const declareChannel = await this.getDeclareChannel();
    for (const declaration of this.declarations.all()) await declareOrMismatch(declareChannel, declaration);
    await this.confirmed.open();
    await this.unconfirmed.open();
    await this.consumers.startAll();
  }

  private forgetChannels(): void {
    this.confirmed.forget();
    this.unconfirmed.forget();
    this.declareChannel = undefined;
    this.consumers.forgetChannels();
  }

  private getDeclareChannel(): Promise<Channel> {
    // A refused declaration closes this channel with an error; `declare()` reports it.
    this.declareChannel ??= this.connection.openShared(
      (model) => model.createChannel(),
      () => undefined,
      (channel) => {
        if (this.declareChannel === channel) this.declareChannel = undefined;
      },
    );
    return this.declareChannel;
  }
}
