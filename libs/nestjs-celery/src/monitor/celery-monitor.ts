import { randomUUID } from 'node:crypto';
import { Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { createBroker } from '../broker/broker.factory.js';
import { redactUrl } from '../broker/broker-url.redaction.js';
import type { Broker, ConsumerHandle } from '../broker/broker.js';
import type { Delivery } from '../broker/delivery.js';
import { CeleryClient } from '../client/celery-client.js';
import { defaultBrokerUrl } from '../client/celery-client.options.js';
import { CELERY_EVENT_EXCHANGE, celeryEventsTopology } from '../control/celery-events.topology.js';
import type { CeleryMonitorOptions } from './celery-monitor.options.js';
import type { MonitorQueue, MonitorSnapshot } from './monitor-snapshot.js';
import { MonitorState, type MonitorEvent } from './monitor-state.js';

/** Celery's event receiver queue TTL and expiry (`event_queue_ttl` 5 s, `event_queue_expires` 60 s). */
const EVENT_QUEUE_ARGUMENTS = { 'x-message-ttl': 5000, 'x-expires': 60_000 };
/** How long to wait for inspect replies at each refresh. */
const INSPECT_TIMEOUT_MS = 1000;

/**
 * What the monitoring page shows, kept up to date like Flower: a receiver of Celery's events
 * (`celeryev`, every routing key, on an auto-deleted queue of its own; on Redis a subscription to
 * the fanout channel, as Celery's receiver does), an `inspect active_queues` broadcast and a read
 * of each consumed queue's depth at every refresh, and revoke. It talks to the broker only
 * through the {@link Broker} interface (RabbitMQ, Redis or the memory broker, chosen by the URL),
 * which reconnects and resumes the event receiver by itself. It watches; it never consumes task queues.
 */
export class CeleryMonitor implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('CeleryMonitor');
  private readonly brokerUrl: string;
  private readonly state: MonitorState;
  private readonly broker: Broker;
  private readonly client: CeleryClient;
  private events?: ConsumerHandle;
  private timer?: NodeJS.Timeout;
  private refreshing?: Promise<void>;
  private stopped = false;

  constructor(private readonly options: CeleryMonitorOptions = {}) {
    this.brokerUrl = options.brokerUrl ?? defaultBrokerUrl();
    this.state = new MonitorState({ rateWindowSeconds: options.rateWindowSeconds });
    this.broker = createBroker({ url: this.brokerUrl, connectionName: 'nestjs-celery monitor', logger: this.logger });
    this.client = new CeleryClient({ broker: this.broker, resultBackend: 'disabled' });
  }

  async onModuleInit(): Promise<void> {
    await this.client.connect();
    await this.watchEvents();
    void this.refresh();
    this.timer = setInterval(() => void this.refresh(), this.options.refreshMs ?? 3000);
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.refreshing?.catch(() => undefined);
    await this.events?.cancel().catch(() => undefined);
    await this.client.close();
    await this.broker.close();
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
      this.state.setQueues(await this.countQueues(this.state.consumedQueues()));
    } catch (error) {
      if (!this.stopped) this.logger.warn(`refresh failed: ${(error as Error).message}`);
    }
  }

  /**
   * Each queue's depth as the broker reports it (a queue the broker does not have is left out).
   * Where the broker cannot count consumers (Redis), the online workers that report consuming
   * the queue (`inspect active_queues`) are counted instead.
   */
  private async countQueues(names: string[]): Promise<MonitorQueue[]> {
    if (!this.broker.queueDepths || names.length === 0) return [];
    const depths = await this.broker.queueDepths(names);
    return depths.map((depth) => ({
      name: depth.name,
      messages: depth.messages,
      ...(depth.unacked !== undefined ? { unacked: depth.unacked } : {}),
      consumers: depth.consumers ?? this.state.consumersOf(depth.name),
      consumersCountedBy: depth.consumers === undefined ? 'workers' : 'broker',
    }));
  }

  /** Declares the monitor's event queue bound to `celeryev` for every routing key and consumes it (no ack, as Celery's receiver). */
  private async watchEvents(): Promise<void> {
    const queue = `celeryev.monitor.${randomUUID()}`;
    await this.broker.declare({
      ...celeryEventsTopology(this.broker.driverType),
      queues: [{ name: queue, durable: false, exclusive: true, autoDelete: true, arguments: EVENT_QUEUE_ARGUMENTS }],
      bindings: [{ exchange: CELERY_EVENT_EXCHANGE, queue, routingKey: '#' }],
    });
    this.events = await this.broker.consume(queue, (delivery) => this.onEventMessage(delivery), { prefetch: 0, noAck: true });
  }

  private onEventMessage(delivery: Delivery): void {
    try {
      const body = JSON.parse(delivery.message.content.toString('utf8')) as MonitorEvent | MonitorEvent[];
      // Celery may send a batch of events as a list (the event buffer of `EventDispatcher`).
      for (const event of Array.isArray(body) ? body : [body]) if (event && typeof event.type === 'string') this.state.onEvent(event);
    } catch {
      // not JSON (another serializer): the page cannot show it
    }
  }
}
