import type { LoggerService } from '@nestjs/common';
import type { ConsumerHandle } from '../broker/amqp-broker.js';
import type { Delivery } from '../broker/delivery.js';
import type { TaskRequest } from '../protocol/task-message.js';
import type { CeleryContext } from '../server/celery-context.js';
import { ControlMessages } from './control.messages.js';
import { errorRepr } from './control.errors.js';
import type { ControlBroker } from './control-broker.js';
import type { ControlRequest } from './control-message.js';
import { decodeControlRequest, encodeControlReply } from './control-message.codec.js';
import { runControlCommand, type ControlledWorker } from './control-panel.js';
import { LamportClock } from './lamport-clock.js';
import { isAddressedTo } from './node-destination.js';
import { mailboxQueueName, mailboxTopology, PIDBOX_REPLY_EXCHANGE } from './pidbox.topology.js';
import type { KombuQueueInfo } from './queue-info.js';
import { RevokedRegistry } from './revoked-registry.js';
import { WorkerActivity } from './worker-activity.js';

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
  private consumer?: ConsumerHandle;
  private broker?: ControlBroker;

  constructor(private readonly options: WorkerControlOptions) {}

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

  log(message: string): void {
    this.options.logger.log(message);
  }

  /** True when the task id was revoked (and not expired): the worker reports REVOKED instead of running it. */
  isRevoked(id: string): boolean {
    return this.revoked.has(id);
  }

  /** Logs a revoked task that arrives (or reaches its ETA) and is not run. */
  discarded(request: Pick<TaskRequest, 'task' | 'id'>): void {
    this.options.logger.log(ControlMessages.discardedRevoked(request.task, request.id));
  }

  /** Records that a request starts running. */
  taskStarted(ctx: CeleryContext): void {
    this.activity.start(ctx);
  }

  /** Records that a request finished; true when `revoke(terminate=True)` terminated it meanwhile. */
  taskFinished(ctx: CeleryContext): boolean {
    return this.activity.finish(ctx);
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

  /** Stops answering. Idempotent. */
  async stop(): Promise<void> {
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
