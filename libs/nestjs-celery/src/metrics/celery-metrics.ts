import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { BrokerStatus } from '../broker/broker.js';
import type { TaskRequest } from '../protocol/task-message.js';
import type { CeleryObserver, ObservedQueue, ObservedTaskOutcome } from '../runtime/celery-observer.js';

/** Options of {@link CeleryMetrics}. */
export interface CeleryMetricsOptions {
  /** The registry to register on. Default: a registry of its own (`metrics.registry`). */
  registry?: Registry;
  /** Prefix of every metric name. Default `celery_`. */
  prefix?: string;
  /** Buckets of the task run-time histogram, in seconds. Default 1 ms … 60 s. */
  runtimeBuckets?: number[];
  /** Buckets of the publish-confirm histogram, in seconds. Default 0.5 ms … 5 s. */
  confirmBuckets?: number[];
}

/**
 * A task between `taskReceived` and `taskReleased`. A retry republishes the same id, so its next
 * run may be received before the current one is released: `deliveries` counts both.
 */
interface TaskInFlight {
  readonly queue: string;
  started: number;
  deliveries: number;
}

/** A prom-client child (counter/histogram bound to label values), cached by its label key. */
type Children<T> = Map<string, T>;

const DEFAULT_RUNTIME_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
const DEFAULT_CONFIRM_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5];

/**
 * Prometheus metrics of a worker and its clients, filled as a {@link CeleryObserver}: pass the
 * same instance to `ServerCelery({ observer })` and `CeleryModule.forRoot({ observer })`, and
 * serve `metrics.registry` (`CeleryMetricsModule` does at `/metrics`).
 *
 * Counters by task name and queue: received, succeeded, failed, retried, revoked, rejected (with
 * the reason); the run-time histogram; tasks in flight and the share of each consumer's prefetch
 * window they use; publish confirms (a histogram of confirm times) and refused publishes; broker
 * reconnects and connection state; domain events published, handled (by handler and outcome) and
 * dead-lettered.
 */
export class CeleryMetrics implements CeleryObserver {
  /** The registry holding these metrics. */
  readonly registry: Registry;
  private readonly received: Counter<'task' | 'queue'>;
  private readonly finished: Record<ObservedTaskOutcome, Counter<'task' | 'queue'>>;
  private readonly rejected: Counter<'task' | 'queue' | 'reason'>;
  private readonly runtime: Histogram<'task' | 'queue'>;
  private readonly confirms: Histogram;
  private readonly publishFailures: Counter;
  private readonly reconnects: Counter;
  private readonly connected: Gauge;
  private readonly eventsPublished: Counter<'routing_key'>;
  private readonly eventsHandled: Counter<'routing_key' | 'handler' | 'outcome'>;
  private readonly eventsDeadLettered: Counter<'queue' | 'reason'>;
  private readonly tasks = new Map<string, TaskInFlight>();
  private readonly prefetch = new Map<string, number>();
  private readonly children = new Map<object, Children<unknown>>();
  private lastStatus?: BrokerStatus;

  constructor(options: CeleryMetricsOptions = {}) {
    const registry = options.registry ?? new Registry();
    this.registry = registry;
    const prefix = options.prefix ?? 'celery_';
    const taskCounter = (name: string, help: string) =>
      new Counter({ name: `${prefix}${name}`, help, labelNames: ['task', 'queue'] as const, registers: [registry] });
    this.received = taskCounter('tasks_received_total', 'Task messages received and decoded, by task name and queue.');
    this.finished = {
      succeeded: taskCounter('tasks_succeeded_total', 'Tasks that returned a value.'),
      failed: taskCounter('tasks_failed_total', 'Tasks that failed (FAILURE reported).'),
      retried: taskCounter('tasks_retried_total', 'Tasks that asked for a retry (RETRY reported, republished).'),
      revoked: taskCounter('tasks_revoked_total', 'Tasks revoked or expired before running, or terminated while running.'),
    };
    this.rejected = new Counter({
      name: `${prefix}tasks_rejected_total`,
      help: 'Task messages rejected (requeued or dead-lettered) without a result: undecodable, not-registered, requeued, dead-lettered.',
      labelNames: ['task', 'queue', 'reason'] as const,
      registers: [registry],
    });
    this.runtime = new Histogram({
      name: `${prefix}task_runtime_seconds`,
      help: 'Run time of task handlers, start to end, by task name and queue.',
      labelNames: ['task', 'queue'] as const,
      buckets: options.runtimeBuckets ?? DEFAULT_RUNTIME_BUCKETS,
      registers: [registry],
    });
    const tasks = this.tasks;
    const prefetch = this.prefetch;
    new Gauge({
      name: `${prefix}tasks_in_flight`,
      help: 'Tasks received and not yet settled (held for their ETA, waiting for a slot, or running), by queue.',
      labelNames: ['queue'] as const,
      registers: [registry],
      collect() {
        this.reset();
        for (const [queue, count] of countByQueue(tasks, prefetch)) this.set({ queue }, count);
      },
    });
    new Gauge({
      name: `${prefix}prefetch_window_use_ratio`,
      help: "Tasks in flight over the consumer's prefetch window, by queue (1 means the window is full).",
      labelNames: ['queue'] as const,
      registers: [registry],
      collect() {
        this.reset();
        for (const [queue, count] of countByQueue(tasks, prefetch)) {
          const window = prefetch.get(queue);
          if (window) this.set({ queue }, count / window);
        }
      },
    });
    this.confirms = new Histogram({
      name: `${prefix}publish_confirm_seconds`,
      help: 'Time from publish to the broker confirm, for every confirmed publish (tasks, follow-ups, retries, events).',
      buckets: options.confirmBuckets ?? DEFAULT_CONFIRM_BUCKETS,
      registers: [registry],
    });
    this.publishFailures = new Counter({ name: `${prefix}publish_failures_total`, help: 'Publishes the broker refused or could not take.', registers: [registry] });
    this.reconnects = new Counter({ name: `${prefix}broker_reconnects_total`, help: 'Broker connections lost (each starts a reconnect).', registers: [registry] });
    this.connected = new Gauge({ name: `${prefix}broker_connected`, help: '1 while the broker connection is up, else 0.', registers: [registry] });
    this.eventsPublished = new Counter({
      name: `${prefix}events_published_total`,
      help: 'Domain events published, by routing key.',
      labelNames: ['routing_key'] as const,
      registers: [registry],
    });
    this.eventsHandled = new Counter({
      name: `${prefix}events_handled_total`,
      help: 'Domain events run through an @OnEvent handler, by routing key, handler and outcome (ok, failed).',
      labelNames: ['routing_key', 'handler', 'outcome'] as const,
      registers: [registry],
    });
    this.eventsDeadLettered = new Counter({
      name: `${prefix}events_dead_lettered_total`,
      help: 'Domain events dead-lettered, by queue and reason.',
      labelNames: ['queue', 'reason'] as const,
      registers: [registry],
    });
  }

  /** The metrics in Prometheus' text format. */
  scrape(): Promise<string> {
    return this.registry.metrics();
  }

  workerStarted(_hostname: string, queues: readonly ObservedQueue[]): void {
    for (const queue of queues) this.prefetch.set(queue.name, queue.prefetch);
  }

  brokerStatus(status: BrokerStatus): void {
    if (status === 'reconnecting' && this.lastStatus !== 'reconnecting') this.reconnects.inc();
    this.connected.set(status === 'connected' ? 1 : 0);
    this.lastStatus = status;
  }

  taskReceived(queue: string, request: TaskRequest): void {
    const known = this.tasks.get(request.id);
    if (known) known.deliveries++;
    else this.tasks.set(request.id, { queue, started: 0, deliveries: 1 });
    this.child(this.received, request.task, queue).inc();
  }

  taskStarted(request: TaskRequest): void {
    const task = this.tasks.get(request.id);
    if (task) task.started = performance.now();
  }

  taskFinished(request: TaskRequest, outcome: ObservedTaskOutcome): void {
    const task = this.tasks.get(request.id);
    const queue = task?.queue ?? '';
    this.child(this.finished[outcome], request.task, queue).inc();
    if (task && task.started > 0 && outcome !== 'revoked') {
      this.child(this.runtime, request.task, queue).observe((performance.now() - task.started) / 1000);
      task.started = 0;
    }
  }

  taskRejected(reason: string, request?: TaskRequest, queue?: string): void {
    this.rejected.inc({ task: request?.task ?? '', queue: queue ?? (request ? this.tasks.get(request.id)?.queue : undefined) ?? '', reason });
  }

  taskReleased(request: TaskRequest): void {
    const task = this.tasks.get(request.id);
    if (task && --task.deliveries === 0) this.tasks.delete(request.id);
  }

  publishConfirmed(durationMs: number): void {
    this.confirms.observe(durationMs / 1000);
  }

  publishFailed(): void {
    this.publishFailures.inc();
  }

  eventPublished(routingKey: string): void {
    this.eventsPublished.inc({ routing_key: routingKey });
  }

  eventHandled(routingKey: string, handler: string, ok: boolean): void {
    this.eventsHandled.inc({ routing_key: routingKey, handler, outcome: ok ? 'ok' : 'failed' });
  }

  eventDeadLettered(queue: string, reason: string): void {
    this.eventsDeadLettered.inc({ queue, reason });
  }

  /** The metric's child for (task, queue), cached: prom-client hashes the labels on every `inc` otherwise. */
  private child<T extends Counter<'task' | 'queue'> | Histogram<'task' | 'queue'>>(metric: T, task: string, queue: string): ReturnType<T['labels']> {
    let children = this.children.get(metric) as Children<ReturnType<T['labels']>> | undefined;
    if (!children) this.children.set(metric, (children = new Map()));
    const key = `${task}\u0000${queue}`;
    let child = children.get(key);
    if (!child) children.set(key, (child = metric.labels(task, queue) as ReturnType<T['labels']>));
    return child;
  }
}

/** Tasks in flight per queue; every consumed queue appears, with 0 when idle. */
function countByQueue(tasks: Map<string, TaskInFlight>, queues: Map<string, number>): Map<string, number> {
  const counts = new Map<string, number>([...queues.keys()].map((queue) => [queue, 0]));
  for (const { queue, deliveries } of tasks.values()) counts.set(queue, (counts.get(queue) ?? 0) + deliveries);
  return counts;
}
