import type { LoggerService } from '@nestjs/common';
import { AmqpBroker } from '../broker/amqp-broker.js';
import type { Broker, ConsumerHandle } from '../broker/broker.js';
import type { Delivery } from '../broker/delivery.js';
import { isQuorumQueue, withQueueType, type QueueType, type Topology } from '../broker/topology.js';
import { delayedDeliveryBindings, nativeDelayedDeliveryTopology } from '../routing/native-delayed-delivery.js';
import { ConcurrencyLimiter } from './concurrency-limiter.js';
import { deadLetterTopology } from './dead-letter.topology.js';
import { ServerMessages } from './server.messages.js';
import type { ResolvedServerOptions } from './server-celery.options.js';
import { planWorkerQueues, type WorkerQueuePlan } from './worker-queue.plan.js';

/** Where a task queue's deliveries go, with the limiter of that queue. */
export type TaskDeliveryHandler = (queue: string, delivery: Delivery, limiter: ConcurrencyLimiter) => void;

/**
 * A worker's consumers: its task queues declared as Celery declares them (with the dead-letter
 * topology and Celery 5.5's delayed-delivery bindings) and consumed, plus its event consumers;
 * each with its base prefetch, raised while ETA tasks are held.
 */
export class WorkerConsumers {
  private readonly handles: ConsumerHandle[] = [];
  private readonly basePrefetch = new Map<ConsumerHandle, number>();
  private readonly queueTypes = new Map<string, QueueType>();

  constructor(
    private readonly options: ResolvedServerOptions,
    private readonly logger: LoggerService,
  ) {}

  /** Every consumer, task queues first. */
  get all(): readonly ConsumerHandle[] {
    return this.handles;
  }

  /** Declares the task queues on `broker` (`async` lanes on `asyncBroker`) and consumes them; returns their plans. */
  async startTaskQueues(broker: Broker, asyncBroker: Broker | undefined, sharedLimiter: ConcurrencyLimiter, onDelivery: TaskDeliveryHandler): Promise<WorkerQueuePlan[]> {
    const { deadLetter } = this.options;
    if (deadLetter) await broker.declare(withQueueType(deadLetterTopology(deadLetter, broker.driverType), this.options.queueType));
    const plans = planWorkerQueues(this.options);
    for (const plan of plans) {
      this.queueTypes.set(plan.name, isQuorumQueue(plan.topology.queues?.find((queue) => queue.name === plan.name)) ? 'quorum' : 'classic');
    }
    const brokerOf = (plan: WorkerQueuePlan) => (plan.lane === 'async' ? (asyncBroker ?? broker) : broker);
    for (const plan of plans) await brokerOf(plan).declare(plan.topology);
    if (this.options.nativeDelayedDelivery) {
      for (const plan of plans) await this.bindDelayedDelivery(brokerOf(plan), plan.name, plan.topology);
    }
    for (const plan of plans) {
      const limiter = plan.concurrency === undefined ? sharedLimiter : new ConcurrencyLimiter(plan.concurrency);
      const handle = await brokerOf(plan).consume(plan.name, (delivery) => onDelivery(plan.name, delivery, limiter), { prefetch: plan.prefetch });
      this.add(handle, plan.prefetch);
    }
    return plans;
  }

  /** Adds consumers started elsewhere (the event consumers) with their base prefetch. */
  add(handle: ConsumerHandle, prefetch: number): void {
    this.basePrefetch.set(handle, prefetch);
    this.handles.push(handle);
  }

  /** The prefetch a consumer was started with. */
  prefetchOf(handle: ConsumerHandle): number {
    return this.basePrefetch.get(handle) ?? this.options.prefetchCount;
  }

  /** The type of a task queue (its ETA parking queue takes the same); undefined before it was planned. */
  queueTypeOf(queue: string): QueueType | undefined {
    return this.queueTypes.get(queue);
  }

  /** Raises every consumer's prefetch by the number of tasks held for their ETA (as Celery does). */
  raisePrefetch(held: number): void {
    for (const handle of this.handles) void handle.setPrefetch(this.prefetchOf(handle) + held);
  }

  /** Cancels every consumer (errors ignored: the connection may be gone). */
  async cancelAll(): Promise<void> {
    await Promise.all(this.handles.map((handle) => handle.cancel().catch(() => undefined)));
    this.handles.length = 0;
    this.basePrefetch.clear();
  }

  /**
   * Celery 5.5's `DelayedDelivery` bootstep for one queue: the `celery_delayed_*` topology (once
   * per broker; declarations are idempotent) and the queue's `#.<key>` bindings. A queue on a
   * direct exchange cannot take part: one warning, as kombu logs, and its ETA tasks are held.
   * Only RabbitMQ (`AmqpBroker`) has exchange-to-exchange bindings: skipped on the memory and Redis brokers.
   */
  private async bindDelayedDelivery(broker: Broker, queue: string, topology: Topology): Promise<void> {
    if (!(broker instanceof AmqpBroker)) return;
    const { topology: bindings, skipped } = delayedDeliveryBindings(topology);
    if (skipped.length > 0) this.logger.warn?.(ServerMessages.delayedDeliveryDirect(queue, skipped));
    if (!bindings.bindings?.length) return;
    await broker.declare(nativeDelayedDeliveryTopology('quorum'));
    await broker.declare(bindings);
  }
}
