import type { LoggerService } from '@nestjs/common';
import type { Channel, ChannelModel } from 'amqplib';
import { BehaviorSubject, Subject, type Observable } from 'rxjs';
import { AmqpBrokerMessages } from './amqp-broker.messages.js';
import { amqplib } from './amqplib.js';
import { errorText, pause } from './broker-pause.js';
import { amqpConnectArgs } from './amqp-connect-args.js';
import type { ResolvedBrokerConnection } from './broker-connection.options.js';
import { BrokerFailover } from './broker-failover.js';
import { redactUrl, redactUrlIn } from './broker-url.redaction.js';
import { BrokerClosedError, BrokerUnavailableError } from './broker.errors.js';
import { ChannelSlot } from './channel-slot.js';
import type { BrokerStatus } from './broker.js';
import { fatalConnectError } from './connect-error.classifier.js';
import { readPyAmqpLongTags } from './py-amqp-long-tag.js';

/** At most one "cannot connect" line per this window while reconnecting (the first failure is logged at once). */
export const RECONNECT_LOG_WINDOW_MS = 30_000;

/** amqplib's texts for an RPC whose channel or connection went away before the reply. */
const LOST_DURING_RPC = /Channel ended|channel closed|Connection closed/i;

/** Connection settings of an {@link AmqpConnection} (see `AmqpBrokerOptions`). */
export interface AmqpConnectionSettings extends ResolvedBrokerConnection {
  connectionName: string;
}

/** What the broker does at the connection's turning points. */
export interface AmqpConnectionHooks {
  /** A new connection is open: declare, open channels, resume consumers. Throwing fails this attempt. */
  setUp(connection: ChannelModel): Promise<void>;
  /** The current connection was lost (not closed by us): forget its channels. */
  lost(): void;
  /** `close()` was called: settle what can be settled before the channels close. */
  closing(): void;
}

/**
 * The broker's one AMQP connection and its state: connects, and reconnects after a loss with
 * exponential backoff, until `close()`. Tracks every channel opened on it so `close()` closes
 * them first.
 */
export class AmqpConnection {
  private readonly statusSubject = new BehaviorSubject<BrokerStatus>('connecting');
  private readonly failures = new Subject<Error>();
  /** Every open channel of the current connection, closed one by one before the connection (see {@link close}). */
  private readonly openChannels = new Set<Channel>();
  private model?: ChannelModel;
  private connecting?: Promise<void>;
  private closedByUs = false;
  /** Which URL of the list is tried next. */
  private readonly failover: BrokerFailover;

  constructor(
    private readonly settings: AmqpConnectionSettings,
    private readonly logger: LoggerService,
    private readonly hooks: AmqpConnectionHooks,
  ) {
    this.failover = new BrokerFailover(settings.urls, settings.failoverStrategy);
  }

  get status$(): Observable<BrokerStatus> {
    return this.statusSubject.asObservable();
  }

  get status(): BrokerStatus {
    return this.statusSubject.value;
  }

  get failure$(): Observable<Error> {
    return this.failures.asObservable();
  }

  /** True once `close()` was called. */
  get closed(): boolean {
    return this.closedByUs;
  }

  /** True while connected and set up (the synchronous publish paths check this). */
  get connected(): boolean {
    return this.statusSubject.value === 'connected';
  }

  /** The current connection; {@link BrokerUnavailableError} when there is none. */
  get current(): ChannelModel {
    if (!this.model) throw new BrokerUnavailableError(`not connected to ${this.safeUrl}`);
    return this.model;
  }

  /** Is `connection` still the current one? */
  isCurrent(connection: ChannelModel): boolean {
    return this.model === connection;
  }

  /** The URL connected to (or tried next), with its password masked. */
  get safeUrl(): string {
    return redactUrl(this.failover.current);
  }

  /** Starts connecting unless connected, connecting or closed. */
  start(): void {
    // never while connected: a second loop would open a second connection and orphan the first
    if (!this.closedByUs && this.statusSubject.value !== 'connected') this.connecting ??= this.connectLoop();
  }

  /**
   * Resolves when connected; rejects with {@link BrokerUnavailableError} after `timeoutMs`,
   * {@link BrokerClosedError} after `close()`, or at once with a fatal error (see `failure$`).
   */
  whenConnected(timeoutMs = this.settings.operationTimeoutMs): Promise<void> {
    if (this.statusSubject.value === 'connected') return Promise.resolve();
    if (this.closedByUs) return Promise.reject(new BrokerClosedError('the broker connection was closed'));
    this.start();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        subscription.unsubscribe();
        failure.unsubscribe();
        reject(new BrokerUnavailableError(`RabbitMQ at ${this.safeUrl} not reachable within ${timeoutMs} ms`));
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

  /** A {@link ChannelSlot} whose channel {@link openShared} opens on this connection. */
  sharedSlot<C extends Channel>(open: (connection: ChannelModel) => Promise<C>, onError: (error: unknown) => void): ChannelSlot<C> {
    return new ChannelSlot((forget) => this.openShared(open, onError, forget));
  }

  /**
   * Opens a channel shared by many operations; `forget` drops it from its slot once it closes or
   * fails to open.
   */
  openShared<C extends Channel>(
    open: (connection: ChannelModel) => Promise<C>,
    onError: (error: unknown) => void,
    forget: (channel: Promise<C>) => void,
  ): Promise<C> {
    const created = open(this.current).then((channel) => {
      this.track(channel);
      channel.on('error', onError);
      channel.on('close', () => forget(created));
      return channel;
    });
    created.catch(() => forget(created));
    return created;
  }

  /** Keeps `channel` among the channels {@link close} closes, until it closes. */
  track(channel: Channel): void {
    this.openChannels.add(channel);
    channel.on('close', () => this.openChannels.delete(channel));
  }

  /**
   * `work` (an amqplib RPC: a channel open, a declaration, a consume), with amqplib's plain error of
   * an RPC cut off half-way ("Channel ended, no reply will be forthcoming", …) made typed: see
   * {@link rpcFailure}.
   */
  async whileOpen<T>(work: Promise<T>, operation: string): Promise<T> {
    try {
      return await work;
    } catch (error) {
      throw this.rpcFailure(error, operation);
    }
  }

  /**
   * The error a caller gets for a failed amqplib RPC: {@link BrokerClosedError} after `close()`,
   * {@link BrokerUnavailableError} when the connection was lost under it (a node crashed; the caller
   * may try again), any other error (a refusal of the broker, a typed error of ours) as it is.
   */
  rpcFailure(error: unknown, operation: string): unknown {
    if (this.closedByUs) return this.closedDuring(operation);
    if (error instanceof BrokerUnavailableError || error instanceof BrokerClosedError) return error;
    if (!this.connected || LOST_DURING_RPC.test(errorText(error))) {
      return new BrokerUnavailableError(`the broker connection was lost during ${operation} (${errorText(error)}); try again`, { cause: error });
    }
    return error;
  }

  closedDuring(operation: string): BrokerClosedError {
    return new BrokerClosedError(`the broker connection was closed during ${operation}`);
  }

  /** Closes every channel, then the connection. Idempotent. */
  async close(): Promise<void> {
    if (this.closedByUs) return;
    this.closedByUs = true;
    this.hooks.closing();
    this.statusSubject.next('closed');
    // Channels first: RabbitMQ confirms a channel's close only after what was sent on it before
    // (the last acks, rpc replies), while a connection close can overtake frames amqplib still
    // holds for other channels, and the broker drops those (requeued tasks, lost results).
    await Promise.all([...this.openChannels].map((channel) => channel.close().catch(() => undefined)));
    const model = this.model;
    this.model = undefined;
    if (model) await model.close().catch(() => undefined);
    this.statusSubject.complete();
    this.failures.complete();
  }

  /** An error's text with every URL and password masked (amqplib may quote them), the TLS passphrase too. */
  private safeErrorText(error: unknown): string {
    let text = errorText(error);
    for (const url of this.settings.urls) text = redactUrlIn(text, url);
    const passphrase = this.settings.tls?.passphrase;
    return passphrase && passphrase.length >= 3 ? text.split(passphrase).join('********') : text;
  }

  /**
   * Connects, trying each URL of the list in the failover order; after a round in which every URL
   * failed transiently it pauses with exponential backoff capped at `reconnectMaxDelayMs`, and
   * retries until `close()` (or `reconnectMaxAttempts`), with one log line per
   * {@link RECONNECT_LOG_WINDOW_MS}. A fatal failure (see {@link fatalConnectError}) ends the loop
   * and goes to `failure$`.
   */
  private async connectLoop(): Promise<void> {
    let delay = this.settings.reconnectInitialDelayMs;
    let attempt = 0;
    const started = Date.now();
    let loggedAt: number | undefined;
    while (!this.closedByUs) {
      try {
        await this.openConnection();
        this.connecting = undefined;
        if (attempt > 0) this.logger.log(AmqpBrokerMessages.reconnected(this.safeUrl, attempt, Date.now() - started));
        return;
      } catch (error) {
        attempt++;
        const model = this.model;
        this.model = undefined;
        await model?.close().catch(() => undefined);
        if (this.closedByUs) break;
        const fatal = fatalConnectError(error, this.safeUrl, this.safeErrorText(error));
        if (fatal) {
          this.giveUp(fatal);
          return;
        }
        if (loggedAt === undefined || Date.now() - loggedAt >= RECONNECT_LOG_WINDOW_MS) {
          loggedAt = Date.now();
          this.logger.warn?.(
            AmqpBrokerMessages.cannotConnect(this.safeUrl, attempt, loggedAt - started, this.safeErrorText(error), this.settings.reconnectMaxDelayMs),
          );
        }
        const { reconnectMaxAttempts } = this.settings;
        if (reconnectMaxAttempts !== undefined && attempt >= reconnectMaxAttempts) {
          this.giveUp(
            new BrokerUnavailableError(
              `RabbitMQ not reachable after ${attempt} attempt(s) (reconnectMaxAttempts); last: ${this.safeUrl}: ${this.safeErrorText(error)}`,
            ),
          );
          return;
        }
        // Another node of the list first; the backoff applies once every node failed this round.
        if (this.failover.advance()) {
          await pause(delay);
          delay = Math.min(Math.max(delay * 2, 1), this.settings.reconnectMaxDelayMs);
        }
      }
    }
    this.connecting = undefined;
  }

  private giveUp(error: Error): void {
    this.connecting = undefined;
    this.logger.error(AmqpBrokerMessages.fatal(error.message));
    this.failures.next(error);
  }

  private async openConnection(): Promise<void> {
    const { url, socketOptions } = amqpConnectArgs(this.failover.current, this.settings, this.settings.connectionName);
    const model = await this.withinHandshakeTimeout(amqplib.connect(url, socketOptions));
    if (this.closedByUs) {
      await model.close().catch(() => undefined);
      return;
    }
    readPyAmqpLongTags(model);
    this.model = model;
    model.on('error', (error: unknown) => this.logger.warn?.(`connection error: ${this.safeErrorText(error)}`));
    model.on('blocked', (reason: unknown) => this.logger.warn?.(`connection blocked by the broker: ${String(reason)}`));
    model.on('close', () => this.onConnectionLost(model));
    await this.hooks.setUp(model);
    this.statusSubject.next('connected');
  }

  /** `connecting`, or a transient error once `handshakeTimeoutMs` passed (a connection that opens later is closed). */
  private withinHandshakeTimeout(connecting: Promise<ChannelModel>): Promise<ChannelModel> {
    const limit = this.settings.handshakeTimeoutMs;
    return new Promise((resolve, reject) => {
      let late = false;
      const timer = setTimeout(() => {
        late = true;
        reject(new Error(`AMQP handshake not finished within ${limit} ms (handshakeTimeoutMs)`));
      }, limit);
      connecting.then(
        (model) => {
          clearTimeout(timer);
          if (late) void model.close().catch(() => undefined);
          else resolve(model);
        },
        (error: unknown) => {
          clearTimeout(timer);
          reject(error);
        },
      );
    });
  }

  private onConnectionLost(model: ChannelModel): void {
    if (this.model !== model) return;
    this.model = undefined;
    this.hooks.lost();
    if (this.closedByUs) return;
    this.logger.warn?.(AmqpBrokerMessages.connectionLost(this.safeUrl));
    // The node may be gone: a cluster's next node is tried first (a single URL is tried again).
    this.failover.advance();
    this.statusSubject.next('reconnecting');
    this.start();
  }
}
