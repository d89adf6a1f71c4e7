import { Logger, type LoggerService } from '@nestjs/common';
import type { Channel, ChannelModel, ConfirmChannel, ConsumeMessage, Options } from 'amqplib';
import { BehaviorSubject, Subject, type Observable } from 'rxjs';
import { AckBatcher } from './ack-batcher.js';
import { AmqpBrokerMessages } from './amqp-broker.messages.js';
import { AmqpDelivery } from './amqp-delivery.js';
import { ChannelSlot } from './channel-slot.js';
import { amqplib } from './amqplib.js';
import { publishOnChannel, publishOptions } from './amqplib-publish.js';
import { describeUrlValue, redactUrl, redactUrlIn } from './broker-url.redaction.js';
import {
  BrokerClosedError,
  BrokerUnavailableError,
  PublishNotConfirmedError,
  TopologyMismatchError,
} from './broker.errors.js';
import type { Broker, BrokerStatus, ConsumeOptions, ConsumerHandle } from './broker.js';
import { fatalConnectError } from './connect-error.classifier.js';
import { applyPrefetch } from './consumer-qos.js';
import { declarationKey, type Declaration } from './declaration.js';
import type { Delivery } from './delivery.js';
import type { Topology } from './topology.js';
import { readPyAmqpLongTags } from './py-amqp-long-tag.js';
import { toPyAmqpTable } from './py-amqp-table.js';

export type { BrokerStatus, ConsumeOptions, ConsumerHandle } from './broker.js';

/** Options of an {@link AmqpBroker}. Every field has a default except the URL. */
export interface AmqpBrokerOptions {
  /** `amqp://user:pass@host:port/vhost`; Celery's `//` suffix means vhost `/`. */
  url: string;
  /** Shown in RabbitMQ's management UI. Default `nestjs-celery`. */
  connectionName?: string;
  /** AMQP heartbeat in seconds, unless the URL sets one. Default 30. */
  heartbeatSeconds?: number;
  /** First reconnect delay; doubles up to {@link reconnectMaxDelayMs}. Default 100 ms. */
  reconnectInitialDelayMs?: number;
  /** Longest delay between reconnect attempts. Default 5000 ms. */
  reconnectMaxDelayMs?: number;
  /** How long an operation waits for a (re)connection before {@link BrokerUnavailableError}. Default 30 s. */
  connectTimeoutMs?: number;
  /** How many times a publish is repeated when the connection drops before its confirm. Default 5. */
  publishRetries?: number;
  logger?: LoggerService;
}

interface ConsumerRegistration {
  queue: string;
  options: ConsumeOptions;
  onDelivery: (delivery: Delivery) => void;
  channel?: Channel;
  consumerTag?: string;
  /** The ack batcher of the current channel (its batch size follows the prefetch). */
  acks?: AckBatcher;
  prefetch: number;
  cancelled: boolean;
}

/** At most one "cannot connect" line per this window while reconnecting (the first failure is logged at once). */
export const RECONNECT_LOG_WINDOW_MS = 30_000;

/**
 * An unref'd pause: a connection's own retries do not keep Node alive. An idle client may let its
 * process exit while the broker is down; a waiting operation keeps it alive through its connect
 * timeout, and a listening `ServerCelery` holds the process for as long as it is meant to run.
 */
function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref?.());
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The {@link TopologyMismatchError} for a declaration RabbitMQ refused with 406, else undefined. */
function asTopologyMismatch(declaration: Declaration, error: unknown): TopologyMismatchError | undefined {
  const text = errorText(error);
  if (!/PRECONDITION_FAILED|406/.test(text)) return undefined;
  return new TopologyMismatchError(
    `RabbitMQ refused to declare ${declaration.kind} '${declarationKey(declaration).split(':')[1]}': ${text}. ` +
      'It exists with other attributes: declare it with the same durable/auto-delete/arguments as its other users.',
  );
}

/**
 * One AMQP connection with publisher confirms, idempotent topology declaration and automatic
 * recovery: after a lost connection it reconnects with backoff, declares every recorded entity
 * again and resumes every consumer. Publishes wait for the connection and are repeated when the
 * connection drops before their confirm (at-least-once, like kombu's publish retry).
 */
export class AmqpBroker implements Broker {
  private readonly logger: LoggerService;
  private readonly statusSubject = new BehaviorSubject<BrokerStatus>('connecting');
  private readonly failures = new Subject<Error>();
  private readonly declarations = new Map<string, { declaration: Declaration; signature: string }>();
  /** Names of the queues among {@link declarations}: {@link hasQueue} runs on every send. */
  private readonly declaredQueues = new Set<string>();
  private readonly consumers = new Set<ConsumerRegistration>();
  /** The ack batchers of every open consumer channel, cancelled consumers' included: flushed on close. */
  private readonly ackBatchers = new Set<AckBatcher>();
  /** Every open channel of the current connection, closed one by one before the connection (see {@link close}). */
  private readonly openChannels = new Set<Channel>();
  private connection?: ChannelModel;
  private readonly publishChannel = new ChannelSlot<ConfirmChannel>((forget) =>
    this.openSharedChannel(
      (connection) => connection.createConfirmChannel(),
      (error) => this.logger.warn?.(`publish channel error: ${errorText(error)}`),
      forget,
    ),
  );
  private declareChannel?: Promise<Channel>;
  private readonly transientChannel = new ChannelSlot<Channel>((forget) =>
    this.openSharedChannel(
      (connection) => connection.createChannel(),
      (error) => this.logger.warn?.(`reply channel error: ${errorText(error)}`),
      forget,
    ),
  );
  private connecting?: Promise<void>;
  private closed = false;
  private readonly options: Required<Omit<AmqpBrokerOptions, 'logger'>>;

  constructor(options: AmqpBrokerOptions) {
    if (!options.url || !/^amqps?:\/\//.test(options.url)) {
      throw new TypeError(`AmqpBroker: option 'url' must be an amqp:// or amqps:// URL, got ${describeUrlValue(options.url)}`);
    }
    this.logger = options.logger ?? new Logger('CeleryBroker');
    this.options = {
      url: options.url,
      connectionName: options.connectionName ?? 'nestjs-celery',
      heartbeatSeconds: options.heartbeatSeconds ?? 30,
      reconnectInitialDelayMs: options.reconnectInitialDelayMs ?? 100,
      reconnectMaxDelayMs: options.reconnectMaxDelayMs ?? 5000,
      connectTimeoutMs: options.connectTimeoutMs ?? 30_000,
      publishRetries: options.publishRetries ?? 5,
    };
  }

  /** Connection state changes: `connecting`, `connected`, `reconnecting`, `closed`. */
  get status$(): Observable<BrokerStatus> {
    return this.statusSubject.asObservable();
  }

  /** The current connection state. */
  get status(): BrokerStatus {
    return this.statusSubject.value;
  }

  /**
   * Fatal connection failures ({@link BrokerAuthenticationError}, {@link BrokerConfigurationError},
   * {@link TopologyMismatchError} on re-declaration): reconnecting stops, every waiting operation
   * rejects with the error, and the next operation tries once more.
   */
  get failure$(): Observable<Error> {
    return this.failures.asObservable();
  }

  /** Connects (if not yet connected) and resolves once connected, or rejects after the connect timeout. */
  async connect(): Promise<void> {
    if (this.closed) throw new BrokerClosedError('AmqpBroker.connect(): the broker was closed');
    this.connecting ??= this.connectLoop();
    await this.whenConnected();
  }

  /**
   * Resolves when connected; rejects with {@link BrokerUnavailableError} after `connectTimeoutMs`,
   * {@link BrokerClosedError} after `close()`, or at once with a fatal error (see {@link failure$}).
   */
  whenConnected(timeoutMs = this.options.connectTimeoutMs): Promise<void> {
    if (this.statusSubject.value === 'connected') return Promise.resolve();
    if (this.closed) return Promise.reject(new BrokerClosedError('the broker connection was closed'));
    this.connecting ??= this.connectLoop();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        subscription.unsubscribe();
        failure.unsubscribe();
        reject(new BrokerUnavailableError(`RabbitMQ at ${this.safeUrl()} not reachable within ${timeoutMs} ms`));
      }, timeoutMs);
      const failure = this.failures.subscribe((error) => {
        clearTimeout(timer);
        queueMicrotask(() => subscription.unsubscribe());
        failure.unsubscribe();
        reject(error);
      });
      const subscription = this.statusSubject.subscribe((status) => {
        if (status === 'connected' || status === 'closed') {
          clearTimeout(timer);
          queueMicrotask(() => subscription.unsubscribe());
          failure.unsubscribe();
          if (status === 'connected') resolve();
          else reject(new BrokerClosedError('the broker connection was closed'));
        }
      });
    });
  }

  /**
   * Declares exchanges, queues and bindings, once each, and records them so they are declared
   * again after a reconnect. A name declared again with other attributes fails with
   * {@link TopologyMismatchError}, locally or from the broker (406), never a hang.
   */
  async declare(topology: Topology): Promise<void> {
    const fresh: Declaration[] = [];
    const add = (declaration: Declaration) => {
      const key = declarationKey(declaration);
      const signature = JSON.stringify(declaration.value);
      const known = this.declarations.get(key);
      if (known) {
        if (known.signature !== signature) {
          throw new TopologyMismatchError(
            `${declaration.kind} '${key.slice(key.indexOf(':') + 1)}' was already declared as ${known.signature}; ` +
              `now declared as ${signature}. Use the same attributes everywhere.`,
          );
        }
        return;
      }
      fresh.push(declaration);
    };
    for (const value of topology.exchanges ?? []) add({ kind: 'exchange', value });
    for (const value of topology.queues ?? []) add({ kind: 'queue', value });
    for (const value of topology.bindings ?? []) add({ kind: 'binding', value });
    if (fresh.length === 0) return;
    await this.whenConnected();
    const channel = await this.whileOpen(this.getDeclareChannel(), 'declare');
    for (const declaration of fresh) {
      try {
        await this.applyDeclaration(channel, declaration);
      } catch (error) {
        this.declareChannel = undefined;
        if (this.closed) throw this.closedDuring('declare');
        throw asTopologyMismatch(declaration, error) ?? error;
      }
      this.declarations.set(declarationKey(declaration), { declaration, signature: JSON.stringify(declaration.value) });
      if (declaration.kind === 'queue') this.declaredQueues.add(declaration.value.name);
    }
  }

  /** True when a queue of this name was declared through this broker (with any attributes). */
  hasQueue(name: string): boolean {
    return this.declaredQueues.has(name);
  }

  /**
   * Publishes and resolves once the broker confirmed the message. Waits for the connection, and
   * repeats the publish if the connection drops before the confirm.
   */
  publish(exchange: string, routingKey: string, content: Buffer, options: Options.Publish): Promise<void> {
    const typed = publishOptions(options);
    const channel = this.publishChannel.ready;
    if (channel === undefined || this.statusSubject.value !== 'connected') {
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
      try {
        publishOnChannel(channel, exchange, routingKey, content, typed, onConfirm);
      } catch (error) {
        onConfirm(error);
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
      await this.whenConnected();
      try {
        // Opening the channel can fail like the publish itself (connection lost, or closed by close()).
        const channel = await this.publishChannel.get();
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
    const connectionLost = this.statusSubject.value !== 'connected' || /channel closed|Channel ended|Connection closed/i.test(text);
    const channelError = /NOT_FOUND|PRECONDITION_FAILED|ACCESS_REFUSED|RESOURCE_LOCKED|nack/i.test(text);
    if (this.closed) throw new BrokerClosedError('the broker connection was closed during publish');
    if (!connectionLost || channelError || attempt >= this.options.publishRetries) {
      throw new PublishNotConfirmedError(
        `publish to exchange '${exchange}' with routing key '${routingKey}' was not confirmed: ${text}`,
        { cause: error },
      );
    }
    this.logger.warn?.(`publish not confirmed (${text}); repeating after reconnect (attempt ${attempt + 1})`);
    await sleep(50);
  }

  /**
   * Publishes without waiting for (or asking for) a broker confirm, on a separate channel: for
   * messages whose loss on a broker crash is acceptable by design, such as rpc replies (transient
   * anyway; Celery does not confirm them either). Synchronous when connected; otherwise the
   * message waits for the connection like {@link publish}. Failures are logged, never thrown.
   */
  publishUnconfirmed(exchange: string, routingKey: string, content: Buffer, options: Options.Publish): void {
    const channel = this.transientChannel.ready;
    const typed = publishOptions(options);
    if (channel && this.statusSubject.value === 'connected') {
      try {
        publishOnChannel(channel, exchange, routingKey, content, typed);
        return;
      } catch (error) {
        this.logger.warn?.(`unconfirmed publish failed: ${errorText(error)}; retrying on the confirm channel`);
      }
    }
    void this.whenConnected()
      .then(() => this.transientChannel.get())
      .then((ready) => publishOnChannel(ready, exchange, routingKey, content, typed))
      .catch((error: unknown) => this.logger.warn?.(`unconfirmed publish to '${routingKey}' lost: ${errorText(error)}`));
  }

  /** Starts a consumer that survives reconnects. */
  async consume(queue: string, onDelivery: (delivery: Delivery) => void, options: ConsumeOptions): Promise<ConsumerHandle> {
    const registration: ConsumerRegistration = {
      queue,
      options,
      onDelivery,
      prefetch: options.prefetch,
      cancelled: false,
    };
    this.consumers.add(registration);
    await this.whenConnected();
    await this.whileOpen(this.startConsumer(registration), 'consume');
    return {
      queue,
      setPrefetch: async (count: number) => {
        registration.prefetch = count;
        registration.acks?.setPrefetch(count);
        if (registration.channel) await applyPrefetch(registration.channel, count).catch(() => undefined);
      },
      cancel: async () => {
        registration.cancelled = true;
        this.consumers.delete(registration);
        const { channel, consumerTag } = registration;
        if (channel && consumerTag) await channel.cancel(consumerTag).catch(() => undefined);
      },
    };
  }

  /** Closes every channel and the connection. Idempotent. Pending operations fail with {@link BrokerClosedError}. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const acks of this.ackBatchers) acks.flush();
    this.statusSubject.next('closed');
    for (const consumer of this.consumers) consumer.cancelled = true;
    this.consumers.clear();
    // Channels first: RabbitMQ confirms a channel's close only after what was sent on it before
    // (the last acks, rpc replies), while a connection close can overtake frames amqplib still
    // holds for other channels, and the broker drops those (requeued tasks, lost results).
    await Promise.all([...this.openChannels].map((channel) => channel.close().catch(() => undefined)));
    const connection = this.connection;
    this.connection = undefined;
    if (connection) await connection.close().catch(() => undefined);
    this.statusSubject.complete();
    this.failures.complete();
  }

  /** `work`, with the error amqplib gives when `close()` ends it half-way ("Channel ended", …) turned into {@link BrokerClosedError}. */
  private async whileOpen<T>(work: Promise<T>, operation: string): Promise<T> {
    try {
      return await work;
    } catch (error) {
      if (this.closed) throw this.closedDuring(operation);
      throw error;
    }
  }

  private closedDuring(operation: string): BrokerClosedError {
    return new BrokerClosedError(`the broker connection was closed during ${operation}`);
  }

  private safeUrl(): string {
    return redactUrl(this.options.url);
  }

  /** An error's text with this broker's URL and password masked (amqplib may quote them). */
  private safeErrorText(error: unknown): string {
    return redactUrlIn(errorText(error), this.options.url);
  }

  private connectionUrl(): string {
    const url = this.options.url;
    if (/[?&]heartbeat=/.test(url)) return url;
    return `${url}${url.includes('?') ? '&' : '?'}heartbeat=${this.options.heartbeatSeconds}`;
  }

  /**
   * Connects, retrying transient failures forever with exponential backoff capped at
   * `reconnectMaxDelayMs` and one log line per {@link RECONNECT_LOG_WINDOW_MS}. A fatal failure
   * (see {@link fatalConnectError}) ends the loop and goes to {@link failure$}.
   */
  private async connectLoop(): Promise<void> {
    let delay = this.options.reconnectInitialDelayMs;
    let attempt = 0;
    const started = Date.now();
    let loggedAt: number | undefined;
    while (!this.closed) {
      try {
        await this.openConnection();
        this.connecting = undefined;
        if (attempt > 0) this.logger.log(AmqpBrokerMessages.reconnected(this.safeUrl(), attempt, Date.now() - started));
        return;
      } catch (error) {
        attempt++;
        const connection = this.connection;
        this.connection = undefined;
        await connection?.close().catch(() => undefined);
        if (this.closed) break;
        const fatal = fatalConnectError(error, this.safeUrl());
        if (fatal) {
          this.connecting = undefined;
          this.logger.error(AmqpBrokerMessages.fatal(fatal.message));
          this.failures.next(fatal);
          return;
        }
        if (loggedAt === undefined || Date.now() - loggedAt >= RECONNECT_LOG_WINDOW_MS) {
          loggedAt = Date.now();
          this.logger.warn?.(
            AmqpBrokerMessages.cannotConnect(this.safeUrl(), attempt, loggedAt - started, this.safeErrorText(error), this.options.reconnectMaxDelayMs),
          );
        }
        await sleep(delay);
        delay = Math.min(delay * 2, this.options.reconnectMaxDelayMs);
      }
    }
    this.connecting = undefined;
  }

  private async openConnection(): Promise<void> {
    const connection = await amqplib.connect(this.connectionUrl(), {
      noDelay: true,
      clientProperties: { connection_name: this.options.connectionName },
    });
    if (this.closed) {
      await connection.close().catch(() => undefined);
      return;
    }
    readPyAmqpLongTags(connection);
    this.connection = connection;
    connection.on('error', (error: unknown) => this.logger.warn?.(`connection error: ${this.safeErrorText(error)}`));
    connection.on('blocked', (reason: unknown) => this.logger.warn?.(`connection blocked by the broker: ${String(reason)}`));
    connection.on('close', () => this.onConnectionLost(connection));
    this.publishChannel.clear();
    this.declareChannel = undefined;
    this.transientChannel.clear();
    const declareChannel = await this.getDeclareChannel();
    for (const { declaration } of this.declarations.values()) {
      await this.applyDeclaration(declareChannel, declaration).catch((error: unknown) => {
        throw asTopologyMismatch(declaration, error) ?? error;
      });
    }
    await this.publishChannel.get();
    await this.transientChannel.get();
    for (const consumer of this.consumers) await this.startConsumer(consumer);
    this.statusSubject.next('connected');
  }

  private onConnectionLost(connection: ChannelModel): void {
    if (this.connection !== connection) return;
    this.connection = undefined;
    this.publishChannel.clear();
    this.declareChannel = undefined;
    this.transientChannel.clear();
    for (const consumer of this.consumers) {
      consumer.channel = undefined;
      consumer.consumerTag = undefined;
    }
    if (this.closed) return;
    this.logger.warn?.(AmqpBrokerMessages.connectionLost(this.safeUrl()));
    this.statusSubject.next('reconnecting');
    this.connecting ??= this.connectLoop();
  }

  private getDeclareChannel(): Promise<Channel> {
    // A refused declaration closes this channel with an error; `declare()` reports it.
    this.declareChannel ??= this.openSharedChannel(
      (connection) => connection.createChannel(),
      () => undefined,
      (channel) => {
        if (this.declareChannel === channel) this.declareChannel = undefined;
      },
    );
    return this.declareChannel;
  }

  /** Opens a channel shared by many operations; `forget` drops it from its slot once it closes or fails to open. */
  private openSharedChannel<C extends Channel>(
    open: (connection: ChannelModel) => Promise<C>,
    onError: (error: unknown) => void,
    forget: (channel: Promise<C>) => void,
  ): Promise<C> {
    const created = open(this.requireConnection()).then((channel) => {
      this.trackChannel(channel);
      channel.on('error', onError);
      channel.on('close', () => forget(created));
      return channel;
    });
    created.catch(() => forget(created));
    return created;
  }

  /** Keeps `channel` in {@link openChannels} until it closes. */
  private trackChannel(channel: Channel): void {
    this.openChannels.add(channel);
    channel.on('close', () => this.openChannels.delete(channel));
  }

  private requireConnection(): ChannelModel {
    if (!this.connection) throw new BrokerUnavailableError(`not connected to ${this.safeUrl()}`);
    return this.connection;
  }

  private async applyDeclaration(channel: Channel, declaration: Declaration): Promise<void> {
    switch (declaration.kind) {
      case 'exchange': {
        const { name, type, durable = true, autoDelete = false, arguments: args } = declaration.value;
        if (name === '') return; // the default exchange always exists
        await channel.assertExchange(name, type, { durable, autoDelete, arguments: args ? toPyAmqpTable(args) : undefined });
        return;
      }
      case 'queue': {
        const { name, durable = true, autoDelete = false, exclusive = false, arguments: args } = declaration.value;
        await channel.assertQueue(name, { durable, autoDelete, exclusive, arguments: args ? toPyAmqpTable(args) : undefined });
        return;
      }
      case 'binding': {
        const { queue, exchange, routingKey, arguments: args } = declaration.value;
        if (exchange === '') return; // implicit binding to the default exchange
        await channel.bindQueue(queue, exchange, routingKey, args ? toPyAmqpTable(args) : undefined);
        return;
      }
    }
  }

  private async startConsumer(registration: ConsumerRegistration): Promise<void> {
    if (registration.cancelled) return;
    const connection = this.requireConnection();
    const channel = await connection.createChannel();
    this.trackChannel(channel);
    channel.on('error', (error: unknown) =>
      this.logger.warn?.(`consumer channel for queue '${registration.queue}' failed: ${errorText(error)}`),
    );
    channel.on('close', () => {
      if (registration.channel !== channel) return;
      registration.channel = undefined;
      registration.consumerTag = undefined;
      // Closed while the connection lives (e.g. a protocol error): resume after a pause.
      if (!registration.cancelled && !this.closed && this.connection === connection) {
        void sleep(500).then(() => this.restartConsumer(registration, connection));
      }
    });
    if (registration.prefetch > 0) await applyPrefetch(channel, registration.prefetch);
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
    const { consumerTag } = await channel.consume(
      registration.queue,
      (message: ConsumeMessage | null) => {
        if (message === null) {
          // Cancelled by the broker (queue deleted): start again once it exists.
          this.logger.warn?.(`broker cancelled the consumer of queue '${registration.queue}'; resubscribing`);
          registration.channel = undefined;
          void channel.close().catch(() => undefined);
          void sleep(1000).then(() => this.restartConsumer(registration, connection));
          return;
        }
        registration.onDelivery(new AmqpDelivery(message, acks));
      },
      { noAck: registration.options.noAck ?? false, exclusive: registration.options.exclusive ?? false },
    );
    registration.channel = channel;
    registration.consumerTag = consumerTag;
    registration.acks = acks;
  }

  private async restartConsumer(registration: ConsumerRegistration, connection: ChannelModel): Promise<void> {
    if (registration.cancelled || this.closed || this.connection !== connection || registration.channel) return;
    try {
      const queue = [...this.declarations.values()].find(
        (d) => d.declaration.kind === 'queue' && d.declaration.value.name === registration.queue,
      );
      if (queue) await this.applyDeclaration(await this.getDeclareChannel(), queue.declaration);
      await this.startConsumer(registration);
    } catch (error) {
      this.logger.warn?.(`cannot resume consumer of queue '${registration.queue}': ${errorText(error)}`);
      void sleep(2000).then(() => this.restartConsumer(registration, connection));
    }
  }
}
