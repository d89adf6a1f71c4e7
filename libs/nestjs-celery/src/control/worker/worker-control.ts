import type { LoggerService } from '@nestjs/common';
import type { ConsumerHandle } from '../../broker/amqp-broker.js';
import type { Delivery } from '../../broker/delivery.js';
import type { TaskRequest } from '../../protocol/task-message.js';
import type { CeleryContext } from '../../runtime/celery-context.js';
import { boundedLine, REFUSAL_LOG_LINE_LIMIT } from '../../runtime/bounded-line.js';
import { TaskRateLimits } from '../../runtime/task-rate-limits.js';
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
import type { RevokeReason, TaskTracker } from './task-tracker.js';
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
  /** kombu's `failover_strategy` shown in `stats.broker`. Default `round-robin`. */
  failoverStrategy?: string;
  /** Send `worker-online`, `worker-heartbeat` and `worker-offline` events. Default true (as a Celery worker). */
  workerEvents?: boolean;
  /** Send task events from the start (Celery's `-E`); `enable_events` / `disable_events` toggle them. Default false. */
  taskEvents?: boolean;
  /** The rate limits of the worker's tasks. Default: none (the registered tasks without limits). */
  rateLimits?: TaskRateLimits;
  /** More of the worker's settings for `inspect conf`, under Celery's names (e.g. `result_backend`). */
  settings?: Record<string, unknown>;
}

const REPLY_PROPERTIES = { contentType: 'application/json', contentEncoding: 'utf-8', deliveryMode: 1 } as const;

/** Node names with a running mailbox in this process: two workers with one name share a mailbox. */
const liveNodes = new Set<string>();

/**
 * A worker's remote control, like Celery's `Pidbox`: consumes `<nodename>.celery.pidbox`
 * (bound to the `celery.pidbox` fanout), runs the commands addressed to this node and replies
 * `{ "<nodename>": <reply> }` with the request's `ticket` header. It is the worker's
 * {@link TaskTracker} too: the worker reports each task's stages to it, and asks it whether a
 * task id was revoked. It asks the worker two things in return, through its options: the
 * registered task names and the queues consumed.
 * A bad control message is logged in one line and never reaches the task consumers.
 */
export class WorkerControl implements ControlledWorker, TaskTracker {
  readonly clock = new LamportClock();
  readonly revoked = new RevokedRegistry();
  readonly activity = new WorkerActivity();
  readonly startedAt = Date.now();
  /**
   * The task events sender while task events are on, else undefined: each tracker stage sends
   * its event as `this.taskEvents?.started(request)`, so with events off a task pays one check.
   */
  taskEvents?: TaskEventSender;
  private consumer?: ConsumerHandle;
  private broker?: ControlBroker;
  private readonly events: CeleryEventPublisher;
  private readonly heartbeat?: WorkerHeartbeat;
  private readonly limits: TaskRateLimits;

  constructor(private readonly options: WorkerControlOptions) {
    this.events = new CeleryEventPublisher(options.hostname, this.clock);
    this.limits = options.rateLimits ?? new TaskRateLimits((task) => (options.registeredTasks().includes(task) ? {} : undefined));
    if (options.workerEvents !== false) this.heartbeat = new WorkerHeartbeat(this.events, this.activity);
    if (options.taskEvents) this.taskEvents = new TaskEventSender(this.events);
  }

  get hostname(): string {
    return this.options.hostname;
  }
  get rateLimits(): TaskRateLimits {
    return this.limits;
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
  get failoverStrategy(): string | undefined {
    return this.options.failoverStrategy;
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

  // The task tracker: each stage updates the activity and sends its task event while events are on.

  isRevoked(id: string): boolean {
    return this.revoked.has(id);
  }

  reserved(request: TaskRequest, delivery: Delivery): void {
    this.activity.reserve(request, delivery);
    this.taskEvents?.received(request);
  }

  started(ctx: CeleryContext): void {
    this.activity.start(ctx);
    this.taskEvents?.started(ctx.request);
  }

  finished(ctx: CeleryContext): boolean {
    const terminated = this.activity.finish(ctx);
    if (terminated) this.taskEvents?.revoked(ctx.request, 'terminated');
    return terminated;
  }

  succeeded(request: TaskRequest, value: unknown): void {
    this.taskEvents?.succeeded(request, value);
  }

  failed(request: TaskRequest, error: unknown): void {
    this.taskEvents?.failed(request, error);
  }

  retried(request: TaskRequest, cause: unknown, traceback: string | null): void {
    this.taskEvents?.retried(request, cause, traceback);
  }

  rejected(request: TaskRequest, requeue: boolean): void {
    this.taskEvents?.rejected(request, requeue);
  }

  discarded(request: TaskRequest, reason: Exclude<RevokeReason, 'terminated'>): void {
    // Celery logs a revoked task that arrives (or reaches its ETA); an expired one is only reported.
    if (reason === 'revoked') this.options.logger.log(ControlMessages.discardedRevoked(request.task, request.id));
    this.taskEvents?.revoked(request, reason);
  }

  notRegistered(request: TaskRequest): void {
    this.taskEvents?.notRegistered(request);
  }

  released(request: TaskRequest): void {
    this.activity.release(request);
  }

  /** Cancels every running task's `ctx.signal` (the drain timeout of a shutdown). */
  cancelRunning(reason: Error): void {
    for (const ctx of this.activity.runningContexts()) ctx.cancel(reason);
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
