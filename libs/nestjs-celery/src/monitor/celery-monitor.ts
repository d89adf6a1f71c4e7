import { randomUUID } from 'node:crypto';
import { Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { Channel, ChannelModel, ConsumeMessage } from 'amqplib';
import { amqplib } from '../broker/amqplib.js';
import { redactUrl } from '../broker/broker-url.redaction.js';
import { CeleryClient } from '../client/celery-client.js';
import { defaultBrokerUrl } from '../client/celery-client.options.js';
import { CELERY_EVENT_EXCHANGE } from '../control/celery-events.topology.js';
import type { CeleryMonitorOptions } from './celery-monitor.options.js';
import type { MonitorQueue, MonitorSnapshot } from './monitor-snapshot.js';
import { MonitorState, type MonitorEvent } from './monitor-state.js';

/** Celery's event receiver queue TTL and expiry (`event_queue_ttl` 5 s, `event_queue_expires` 60 s). */
const EVENT_QUEUE_ARGUMENTS = { 'x-message-ttl': 5000, 'x-expires': 60_000 };
/** How long to wait for inspect replies at each refresh. */
const INSPECT_TIMEOUT_MS = 1000;
/** Pause before reconnecting after the monitor lost its connection. */
const RECONNECT_DELAY_MS = 2000;

/**
 * What the monitoring page shows, kept up to date like Flower: a receiver of Celery's events
 * (`celeryev`, every routing key, on an auto-deleted queue of its own), an `inspect active_queues`
 * broadcast and a read of each consumed queue's depth and consumers at every refresh, and revoke.
 * It watches; it never consumes task queues.
 */
export class CeleryMonitor implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('CeleryMonitor');
  private readonly brokerUrl: string;
  private readonly state: MonitorState;
  private readonly client: CeleryClient;
  private connection?: ChannelModel;
  private timer?: NodeJS.Timeout;
  private refreshing?: Promise<void>;
  private stopped = false;

  constructor(private readonly options: CeleryMonitorOptions = {}) {
    this.brokerUrl = options.brokerUrl ?? defaultBrokerUrl();
    this.state = new MonitorState({ rateWindowSeconds: options.rateWindowSeconds });
    this.client = new CeleryClient({ brokerUrl: this.brokerUrl, resultBackend: 'disabled', connectionName: 'nestjs-celery monitor' });
  }

  async onModuleInit(): Promise<void> {
    await this.client.connect();
    await this.connect();
    void this.refresh();
    this.timer = setInterval(() => void this.refresh(), this.options.refreshMs ?? 3000);
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.refreshing?.catch(() => undefined);
    await this.connection?.close().catch(() => undefined);
    await this.client.close();
  }

  /** What the page shows now. */
  snapshot(): MonitorSnapshot {
    return this.state.snapshot(redactUrl(this.brokerUrl));
  }

  /** Revokes a task on every worker (`terminate` also aborts it where it runs). */
  async revoke(id: string, terminate = false): Promise<void> {
    await this.client.control.revoke(id, { terminate });
    this.state.revoked(id);
  }

  /** Inspects the workers and reads the depth of the queues they consume; one at a time. */
  refresh(): Promise<void> {
    this.refreshing ??= this.inspectAndCount().finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  private async inspectAndCount(): Promise<void> {
    try {
      if (this.options.enableEvents ?? true) await this.client.control.broadcast('enable_events');
      const replies = await this.client.control.inspect({ timeoutMs: INSPECT_TIMEOUT_MS }).activeQueues();
      this.state.onInspect(
        Object.fromEntries(Object.entries(replies).map(([node, queues]) => [node, { queues: Array.isArray(queues) ? queues.map((q) => q.name) : undefined }])),
      );
      if (this.connection) this.state.setQueues(await this.countQueues(this.connection, this.state.consumedQueues()));
    } catch (error) {
      if (!this.stopped) this.logger.warn(`refresh failed: ${(error as Error).message}`);
    }
  }

  /** Each queue's ready messages and consumers (a passive declare; a missing queue is left out). */
  private async countQueues(connection: ChannelModel, names: string[]): Promise<MonitorQueue[]> {
    const queues: MonitorQueue[] = [];
    let channel: Channel | undefined;
    for (const name of names) {
      try {
        channel ??= await connection.createChannel();
        channel.on('error', () => undefined);
        const { messageCount, consumerCount } = await channel.checkQueue(name);
        queues.push({ name, messages: messageCount, consumers: consumerCount });
      } catch {
        channel = undefined; // a failed passive declare closes the channel
      }
    }
    await channel?.close().catch(() => undefined);
    return queues;
  }

  /** Opens the monitor's connection and its event receiver; reconnects after a pause when it is lost. */
  private async connect(): Promise<void> {
    try {
      const connection = await amqplib.connect(this.brokerUrl, { clientProperties: { connection_name: 'nestjs-celery monitor events' } });
      connection.on('error', () => undefined);
      connection.on('close', () => {
        if (this.connection === connection) this.connection = undefined;
        if (!this.stopped) setTimeout(() => void this.connect(), RECONNECT_DELAY_MS).unref();
      });
      const channel = await connection.createChannel();
      channel.on('error', () => undefined);
      await channel.assertExchange(CELERY_EVENT_EXCHANGE, 'topic', { durable: true });
      const { queue } = await channel.assertQueue(`celeryev.monitor.${randomUUID()}`, { exclusive: true, autoDelete: true, arguments: EVENT_QUEUE_ARGUMENTS });
      await channel.bindQueue(queue, CELERY_EVENT_EXCHANGE, '#');
      await channel.consume(queue, (message) => this.onEventMessage(message), { noAck: true });
      this.connection = connection;
    } catch (error) {
      if (this.stopped) return;
      this.logger.warn(`cannot watch ${redactUrl(this.brokerUrl)}: ${(error as Error).message}; retrying`);
      setTimeout(() => void this.connect(), RECONNECT_DELAY_MS).unref();
    }
  }

  private onEventMessage(message: ConsumeMessage | null): void {
    if (!message) return;
    try {
      const body = JSON.parse(message.content.toString('utf8')) as MonitorEvent | MonitorEvent[];
      // Celery may send a batch of events as a list (the event buffer of `EventDispatcher`).
      for (const event of Array.isArray(body) ? body : [body]) if (event && typeof event.type === 'string') this.state.onEvent(event);
    } catch {
      // not JSON (another serializer): the page cannot show it
    }
  }
}
