import type { LoggerService } from '@nestjs/common';
import type { ConsumerHandle } from '../../broker/amqp-broker.js';
import type { Delivery } from '../../broker/delivery.js';
import type { TaskRequest } from '../../protocol/task-message.js';
import type { CeleryContext } from '../../runtime/celery-context.js';
import { boundedLine, REFUSAL_LOG_LINE_LIMIT } from '../../runtime/bounded-line.js';
import { CeleryEventPublisher, type EventBroker } from './celery-event.publisher.js';
import { ControlMessages } from '../control.messages.js';
import { errorRepr } from '../control.errors.js';
import type { ControlBroker } from '../control-broker.js';
import type { ControlRequest } from '../control-message.js';
import { decodeControlRequest, encodeControlReply } from '../control-message.codec.js';
import { runControlCommand, type ControlledWorker } from './control-panel.js';
import { LamportClock } from '../lamport-clock.js';
import { isAddressedTo } from './node-destination.js';
import { mailboxQueueName, mailboxTopology, PIDBOX_REPLY_EXCHANGE } from '../pidbox.topology.js';
import type { KombuQueueInfo } from '../queue-info.js';
import { RevokedRegistry } from './revoked-registry.js';
import { TaskEventSender } from './task-event.sender.js';
import { WorkerActivity } from './worker-activity.js';
import { censorSettings } from './worker-conf.js';
import { WorkerHeartbeat } from './worker-heartbeat.js';

/** What a {@link WorkerControl} needs to know about its worker. */
export interface WorkerControlOptions {
  hostname: string;
  concurrency: number;
  prefetchCount: number;
  brokerUrl: string;
  /** True when tasks are acked before they run (`acksLate: false`). */
  acksEarly: boolean;
  registeredTasks: () => string[];
  activeQueues: () => KombuQueueInfo[];
  logger: LoggerService;
  /** AMQP heartbeat shown in `stats.broker`. Default 30. */
  heartbeatSeconds?: number;
  /** Send `worker-online`, `worker-heartbeat` and `worker-offline` events. Default true (as a Celery worker). */
  workerEvents?: boolean;
  /** Send task events from the start (Celery's `-E`); `enable_events` / `disable_events` toggle them. Default false. */
  taskEvents?: boolean;
  /** More of the worker's settings for `inspect conf`, under Celery's names (e.g. `result_backend`). */
  settings?: Record<string, unknown>;
}

const REPLY_PROPERTIES = { contentType: 'application/json', contentEncoding: 'utf-8', deliveryMode: 1 } as const;

/** Node names with a running mailbox in this process: two workers with one name share a mailbox. */
const liveNodes = new Set<string>();

/**
 * A worker's remote control, like Celery's `Pidbox`: consumes `<nodename>.celery.pidbox`
 * (bound to the `celery.pidbox` fanout), runs the commands addressed to this node and replies
 * `{ "<nodename>": <reply> }` with the request's `ticket` header. Also holds what the worker
 * asks before running a task: the revoked ids ({@link isRevoked}) and the running requests.
 * A bad control message is logged in one line and never reaches the task consumers.
 */
export class WorkerControl implements ControlledWorker {
  readonly clock = new LamportClock();
  readonly revoked = new RevokedRegistry();
  readonly activity = new WorkerActivity();
  readonly startedAt = Date.now();
  /**
   * The task events sender while task events are on, else undefined: the worker sends each
   * event as `control.taskEvents?.started(request)`, so with events off a task pays one check.
   */
  taskEvents?: TaskEventSender;
  private consumer?: ConsumerHandle;
  private broker?: ControlBroker;
  private readonly events: CeleryEventPublisher;
  private readonly heartbeat?: WorkerHeartbeat;

  constructor(private readonly options: WorkerControlOptions) {
    this.events = new CeleryEventPublisher(options.hostname, this.clock);
    if (options.workerEvents !== false) this.heartbeat = new WorkerHeartbeat(this.events, this.activity);
    if (options.taskEvents) this.taskEvents = new TaskEventSender(this.events);
  }

  get hostname(): string {
    return this.options.hostname;
  }
  get acksEarly(): boolean {
    return this.options.acksEarly;
  }
  get concurrency(): number {
    return this.options.concurrency;
  }
  get prefetchCount(): number {
    return this.options.prefetchCount;
  }
  get brokerUrl(): string {
    return this.options.brokerUrl;
  }
  get heartbeatSeconds(): number {
    return this.options.heartbeatSeconds ?? 30;
  }

  /** The mailbox queue this worker consumes. */
  get queue(): string {
    return mailboxQueueName(this.options.hostname);
  }

  registeredTasks(): string[] {
    return this.options.registeredTasks();
  }

  activeQueues(): KombuQueueInfo[] {
    return this.options.activeQueues();
  }

  /** Logs one line of at most 2 KB: a remote command can name any number of tasks (a revoke of 500 ids). */
  log(message: string): void {
    this.options.logger.log(boundedLine(message, REFUSAL_LOG_LINE_LIMIT));
  }

  /** True when the task id was revoked (and not expired): the worker reports REVOKED instead of running it. */
  isRevoked(id: string): boolean {
    return this.revoked.has(id);
  }

  /** Logs a revoked task that arrives (or reaches its ETA) and is not run. */
  discarded(request: Pick<TaskRequest, 'task' | 'id'>): void {
    this.options.logger.log(ControlMessages.discardedRevoked(request.task, request.id));
  }

  /** Records a request the worker took, held for its ETA or waiting for a slot until it runs (sends `task-received`). */
  taskReserved(request: TaskRequest, delivery: Delivery): void {
    this.activity.reserve(request, delivery);
    this.taskEvents?.received(request);
  }

  /** Forgets a request that ran, was discarded or handed back. */
  taskReady(request: TaskRequest): void {
    this.activity.release(request);
  }

  /** Records that a request starts running (sends `task-started`). */
  taskStarted(ctx: CeleryContext): void {
    this.activity.start(ctx);
    this.taskEvents?.started(ctx.request);
  }

  /** Records that a request finished; true when `revoke(terminate=True)` terminated it meanwhile (then sends `task-revoked`). */
  taskFinished(ctx: CeleryContext): boolean {
    const terminated = this.activity.finish(ctx);
    if (terminated) this.taskEvents?.revoked(ctx.request, 'terminated');
    return terminated;
  }

  /** Turns task events on or off (`enable_events` / `disable_events`); false when they already were. */
  setTaskEvents(enabled: boolean): boolean {
    if (enabled === (this.taskEvents !== undefined)) return false;
    this.taskEvents = enabled ? new TaskEventSender(this.events) : undefined;
    this.options.logger.log(ControlMessages.taskEventsToggled(enabled));
    return true;
  }

  /** Sends a `worker-heartbeat` now (when worker events are on). */
  sendHeartbeat(): void {
    this.heartbeat?.beat();
  }

  /** This worker's settings under Celery's names, censored like Celery's `inspect conf`. */
  conf(): Record<string, unknown> {
    const { options } = this;
    const multiplier = options.prefetchCount / options.concurrency;
    return censorSettings({
      broker_url: options.brokerUrl,
      broker_heartbeat: this.heartbeatSeconds,
      worker_concurrency: options.concurrency,
      ...(Number.isInteger(multiplier) ? { worker_prefetch_multiplier: multiplier } : {}),
      task_acks_late: !options.acksEarly,
      worker_send_task_events: this.taskEvents !== undefined,
      ...options.settings,
    });
  }

  /** Starts the worker's Celery events: declares `celeryev`, sends `worker-online`, then heartbeats. */
  async startEvents(broker: EventBroker): Promise<void> {
    await this.events.start(broker);
    this.heartbeat?.start();
  }

  /** Declares the mailbox like kombu and starts answering (no-ack consumer, as Celery). */
  async start(broker: ControlBroker): Promise<void> {
    this.broker = broker;
    if (liveNodes.has(this.options.hostname)) this.options.logger.warn(ControlMessages.nodeNameInUse(this.options.hostname));
    liveNodes.add(this.options.hostname);
    await broker.declare(mailboxTopology(this.options.hostname));
    this.consumer = await broker.consume(this.queue, (delivery) => this.onDelivery(delivery), { prefetch: 0, noAck: true });
    this.options.logger.log(ControlMessages.listening(this.options.hostname, this.queue));
  }

  /** Stops answering and sends `worker-offline` (task events of tasks still draining are still sent). Idempotent. */
  async stop(): Promise<void> {
    this.heartbeat?.stop();
    const consumer = this.consumer;
    this.consumer = undefined;
    if (!consumer) return;
    liveNodes.delete(this.options.hostname);
    await consumer.cancel().catch(() => undefined);
  }

  /** Handles one control message; never throws. */
  onDelivery(delivery: Delivery): void {
    const { message } = delivery;
    const node = this.options.hostname;
    // Celery forwards its clock for every control message, then adjusts to the sender's.
    this.clock.forward();
    let request: ControlRequest;
    try {
      request = decodeControlRequest(message.content, message.properties.contentType as string | undefined);
    } catch (error) {
      this.options.logger.error(ControlMessages.malformed(node, (error as Error).message));
      return;
    }
    this.clock.adjust(message.properties.headers?.clock);
    if (!isAddressedTo(request, node)) return;
    let reply: unknown;
    if (request.invalid) {
      reply = { error: request.invalid };
      this.options.logger.error(ControlMessages.commandFailed(node, request.method, request.invalid));
    } else {
      try {
        reply = runControlCommand(this, request.method, request.arguments);
      } catch (error) {
        const repr = errorRepr(error);
        reply = { error: repr };
        this.options.logger.error(ControlMessages.commandFailed(node, request.method, repr));
      }
    }
    if (request.replyTo) this.reply(request, reply);
  }

  private reply(request: ControlRequest, reply: unknown): void {
    const replyTo = request.replyTo!;
    if (replyTo.exchange !== PIDBOX_REPLY_EXCHANGE) {
      this.options.logger.error(ControlMessages.foreignReplyExchange(this.options.hostname, request.method, replyTo.exchange));
      return;
    }
    this.broker?.publishUnconfirmed(replyTo.exchange, replyTo.routingKey, encodeControlReply(this.options.hostname, reply), {
      ...REPLY_PROPERTIES,
      headers: { ticket: request.ticket, clock: this.clock.forward() },
    });
  }
}
