import { Logger, type LoggerService } from '@nestjs/common';
import { Server, type CustomTransportStrategy, type MessageHandler } from '@nestjs/microservices';
import { merge, type Observable, type Subscription } from 'rxjs';
import { BrokerUnavailableError } from '../broker/broker.errors.js';
import { joinBrokerUrls } from '../broker/broker-connection.options.js';
import { createBroker } from '../broker/broker.factory.js';
import { AmqpBroker } from '../broker/amqp-broker.js';
import { DELIVERY_LIMIT_REASON, overDeliveryLimit } from '../runtime/delivery-limit.js';
import type { Broker, BrokerStatus } from '../broker/broker.js';
import type { Delivery } from '../broker/delivery.js';
import { defaultBrokerUrl } from '../client/celery-client.options.js';
import { queueInfoFromTopology } from '../control/queue-info.js';
import { WorkerControl } from '../control/worker/worker-control.js';
import { EventDispatcher, type EventDispatchHost } from '../events/event-dispatcher.js';
import { invokeEventHandler, type ProcessingHooksRunner } from '../events/event-handler.invoker.js';
import { CELERY_EVENT_SUBSCRIPTION } from '../events/event-subscription.js';
import { defaultNodeName } from '../producer/node-identity.js';
import { TaskProducer } from '../producer/task-producer.js';
import type { CeleryContext } from '../runtime/celery-context.js';
import { TaskRateLimits } from '../runtime/task-rate-limits.js';
import type { CeleryObserver } from '../runtime/celery-observer.js';
import { ObservedBroker } from '../runtime/observed-broker.js';
import { DeadLetterPublisher, decodeTaskDelivery } from '../runtime/dead-letter.publisher.js';
import { CELERY_TASK_OPTIONS, type CeleryTaskOptions } from './celery-task.options.js';
import { CELERY_TRANSPORT } from './celery-transport.js';
import { ConcurrencyLimiter } from './concurrency-limiter.js';
import { EtaParking } from './eta-parking.js';
import { EtaScheduler } from './eta-scheduler.js';
import { ServerMessages } from './server.messages.js';
import { celerySettings, resolveServerOptions, type ResolvedServerOptions, type ServerCeleryOptions } from './server-celery.options.js';
import { ObservedTaskTracker } from './observed-task-tracker.js';
import { TaskOutcome } from './task-outcome.js';
import { RedisResultStore } from '../results/redis-result-store.js';
import { RedisResultReporter } from './redis-result.reporter.js';
import type { ResultReporter } from './result-reporter.js';
import { TaskResultReporter } from './task-result.reporter.js';
import { runTaskHandler, TaskRunner } from './task-runner.js';
import { WorkflowPublisher } from './workflow.publisher.js';
import { planWorkerQueues } from './worker-queue.plan.js';
import { WorkerConsumers } from './worker-consumers.js';
import { WorkerKeepAlive } from './worker-keep-alive.js';

/** Connection states `ServerCelery` reports through `status`. */
export type CeleryServerStatus = 'connected' | 'disconnected' | 'reconnecting';

/** Events of `ServerCelery.on()`. */
export type CeleryServerEvents = {
  /**
   * A task could not be processed (not a handler failure: those become FAILURE results), or the
   * worker stopped on a fatal broker error after it started (say the broker refused the
   * credentials on reconnect). With no `error` listener, a fatal error is thrown once the worker
   * closed, so the process exits non-zero with the reason (Node's rule for unhandled `error` events).
   */
  error: (error: Error) => void;
};

/** A consumer of a worker, as {@link ServerCelery.health} reports it. */
export interface CeleryConsumerHealth {
  readonly queue: string;
  /** True while the broker delivers to it (false while the connection is down or the consumer is being resumed). */
  readonly consuming: boolean;
}

/** What {@link ServerCelery.health} reports: the broker connection and each consumer. */
export interface CeleryWorkerHealth {
  /** The worker's broker connection; `not-started` before `listen()`. */
  readonly broker: BrokerStatus | 'not-started';
  readonly consumers: readonly CeleryConsumerHealth[];
  /**
   * Where results go: `rpc` (replies on the broker connection above), `redis-up` / `redis-down`
   * (the Redis result backend reachable or not), `disabled`.
   */
  readonly results: 'rpc' | 'redis-up' | 'redis-down' | 'disabled';
}

/** The end hook handed to a handler run when no processing hooks are registered. */
const noEndHook = (): void => undefined;

/**
 * A Nest microservice transport that is a Celery worker: it consumes Celery queues on RabbitMQ,
 * runs `@CeleryTask` handlers through Nest's pipeline and answers like a Python Celery 5 worker
 * (rpc results, chains, callbacks, errbacks, retries, eta/countdown, expires, NotRegistered).
 *
 * ```ts
 * const app = await NestFactory.createMicroservice(WorkerModule, { strategy: new ServerCelery({ queues: ['billing'] }) });
 * await app.listen();
 * ```
 */
export class ServerCelery extends Server<CeleryServerEvents, CeleryServerStatus> implements CustomTransportStrategy {
  override readonly transportId = CELERY_TRANSPORT;
  override readonly propagatesEventHandlerErrors = true;
  protected override readonly logger: LoggerService;

  private readonly options: ResolvedServerOptions;
  private readonly nodeName: string;
  private broker?: Broker;
  private asyncBroker?: Broker;
  /** Runs each task message: set up in `listen()`, once the broker is there. */
  private runner?: TaskRunner;
  private eta?: EtaScheduler;
  private events?: EventDispatcher;
  /** Where task states go (rpc replies or the Redis store): set up in `listen()`. */
  private reporter?: ResultReporter;
  /** The Redis store of a `redis://` result backend. */
  private resultStore?: RedisResultStore;
  private limiter: ConcurrencyLimiter;
  private readonly consumers: WorkerConsumers;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly errorListeners = new Set<(error: Error) => void>();
  private readonly control: WorkerControl;
  private readonly refusals: DeadLetterPublisher;
  /** Each task's `rateLimit`, changed at run time by the `rate_limit` control command. */
  private readonly rateLimits = new TaskRateLimits((task) => {
    const handler = this.messageHandlers.get(task);
    if (!handler || handler.extras?.[CELERY_EVENT_SUBSCRIPTION]) return undefined;
    return { rate: (handler.extras?.[CELERY_TASK_OPTIONS] as CeleryTaskOptions | undefined)?.rateLimit };
  });
  /** Set only with the `observer` option: every call on the message path checks it once. */
  private readonly observer?: CeleryObserver;
  private closing?: Promise<void>;
  private statusSubscription?: Subscription;
  private failureSubscription?: Subscription;
  /** Holds the process alive from `listen()` to the end of `close()`, reconnects included. */
  private readonly keepAlive = new WorkerKeepAlive();
  /** Tasks between delivery and settlement (counted, not tracked one by one: this is the per-message path). */
  private activeTasks = 0;
  private onIdle?: () => void;
  /** Nest's default start hook (it only calls `done`): with it and no end hook, the processing hooks are a no-op. */
  private readonly noopStartHook = this.onProcessingStartHook;

  constructor(options: ServerCeleryOptions = {}) {
    super();
    this.options = resolveServerOptions(options, defaultBrokerUrl());
    this.nodeName = options.nodeName ?? defaultNodeName();
    this.limiter = new ConcurrencyLimiter(this.options.concurrency);
    this.logger = options.logger ?? new Logger('ServerCelery');
    this.observer = options.observer;
    this.consumers = new WorkerConsumers(this.options, this.logger);
    this.refusals = new DeadLetterPublisher(() => this.broker, this.options.deadLetter, this.nodeName, this.logger);
    this.control = new WorkerControl({
      hostname: this.nodeName,
      concurrency: this.options.concurrency,
      prefetchCount: this.options.prefetchCount,
      brokerUrl: joinBrokerUrls(this.options.brokerUrl),
      heartbeatSeconds: this.options.heartbeatSeconds,
      failoverStrategy: this.options.failoverStrategy,
      acksEarly: !this.options.acksLate,
      workerEvents: this.options.workerEvents,
      taskEvents: this.options.taskEvents,
      settings: celerySettings(this.options),
      rateLimits: this.rateLimits,
      registeredTasks: () => this.registeredTasks(),
      activeQueues: () => planWorkerQueues(this.options).map((plan) => queueInfoFromTopology(plan.name, plan.topology)),
      logger: this.logger,
    });
  }

  /** This worker's node name (as `celery inspect` shows it). */
  get hostname(): string {
    return this.nodeName;
  }

  /**
   * Connects, declares the queues like Celery and starts consuming. Waits for an unreachable
   * broker however long it takes (one log line per reconnect window); fails with the reason on a
   * fatal error (refused credentials, unusable URL, conflicting declaration). From here until
   * `close()` the worker keeps the process alive, through broker restarts too.
   */
  async listen(callback: (error?: unknown) => void): Promise<void> {
    this.keepAlive.hold();
    try {
      await this.start();
    } catch (error) {
      await this.close().catch(() => undefined);
      callback(error);
      return;
    }
    this.failureSubscription = this.brokerFailures()?.subscribe((error) => void this.stopOnFatal(error));
    callback();
  }

  /** Stops consuming, waits for running tasks (up to `shutdownTimeoutMs`), then disconnects. Idempotent. */
  close(): Promise<void> {
    this.closing ??= this.shutdown().finally(() => this.keepAlive.release());
    return this.closing;
  }

  /** Registers an event listener. */
  on<K extends keyof CeleryServerEvents>(event: K, callback: CeleryServerEvents[K]): void {
    if (event === 'error') this.errorListeners.add(callback);
  }

  /** The underlying {@link Broker} (an `AmqpBroker` unless one was given); throws before `listen()`. */
  unwrap<T = Broker>(): T {
    if (!this.broker) throw new Error('ServerCelery.unwrap(): not listening yet; call listen() first');
    return this.broker as T;
  }

  /** Names of the registered tasks, sorted (`@OnEvent` handlers are not tasks). */
  registeredTasks(): string[] {
    return [...this.messageHandlers].filter(([, handler]) => !handler.extras?.[CELERY_EVENT_SUBSCRIPTION]).map(([name]) => name).sort();
  }

  /** The broker connection and each consumer's state, for health checks (`nestjs-celery/health`). */
  health(): CeleryWorkerHealth {
    const broker = this.broker?.status ?? 'not-started';
    return {
      broker,
      consumers: this.consumers.all.map((consumer) => ({ queue: consumer.queue, consuming: broker === 'connected' && (consumer.consuming ?? true) })),
      results: this.resultStore ? (this.resultStore.redis.status === 'ready' ? 'redis-up' : 'redis-down') : this.options.resultBackend === 'redis' ? 'redis-down' : this.options.resultBackend,
    };
  }

  /** Names of the event queues this worker consumes (`billing.order-events`), after `listen()`. */
  eventQueues(): string[] {
    return this.events?.queues ?? [];
  }

  private async start(): Promise<void> {
    this.events = EventDispatcher.create(this.messageHandlers, this.options.service, this.eventDispatchHost());
    const broker =
      this.options.broker ??
      createBroker({
        url: this.options.brokerUrl,
        connection: this.options.brokerConnection,
        connectionName: `nestjs-celery-worker ${this.nodeName}`,
        logger: this.logger,
      });
    this.broker = broker;
    this.statusSubscription = broker.status$.subscribe((status: BrokerStatus) => {
      this.observer?.brokerStatus?.(status);
      if (status === 'connected') this._status$.next('connected');
      else if (status === 'reconnecting') this._status$.next('reconnecting');
      else this._status$.next('disconnected');
    });
    if (this.options.asyncBrokerUrl) {
      this.asyncBroker = createBroker({
        url: this.options.asyncBrokerUrl,
        connection: this.options.brokerConnection,
        connectionName: `nestjs-celery-worker ${this.nodeName} async`,
        logger: this.logger,
      });
    }
    if (this.options.resultBackend === 'redis') {
      this.resultStore = await RedisResultStore.open(this.options.resultBackendUrl!, {
        expiresMs: this.options.resultExpiresMs,
        tls: this.options.resultBackendTls,
        connectionName: `nestjs-celery-worker ${this.nodeName}`,
        logger: this.logger,
      });
    }
    this.runner = this.taskRunner(broker);
    await this.awaitBroker(broker);
    if (this.asyncBroker) await this.awaitBroker(this.asyncBroker);
    const plans = await this.consumers.startTaskQueues(broker, this.asyncBroker, this.limiter, (queue, delivery, limiter) =>
      this.onDelivery(queue, delivery, limiter),
    );
    if (this.events) {
      for (const handle of await this.events.start(broker, this.options.prefetchCount)) this.consumers.add(handle, this.options.prefetchCount);
    }
    this.observer?.workerStarted?.(
      this.nodeName,
      this.consumers.all.map((handle) => ({ name: handle.queue, prefetch: this.consumers.prefetchOf(handle) })),
    );
    if (this.options.remoteControl) await this.control.start(broker);
    await this.control.startEvents(broker);
    this.logger.log(ServerMessages.listening(this.nodeName, [...plans.map((q) => q.name), ...this.eventQueues()], this.registeredTasks().length));
  }

  /** The task path of this worker: ETA scheduling, execution and outcome reporting on `broker`. */
  private taskRunner(broker: Broker): TaskRunner {
    const observer = this.observer;
    const tracker = observer ? new ObservedTaskTracker(this.control, observer) : this.control;
    const producer = new TaskProducer(observer ? new ObservedBroker(broker, observer) : broker, this.options.defaultQueue, this.nodeName, {
      router: this.options.router,
      asyncBroker: this.asyncBroker,
      wireHeaders: this.options.wireHeaders,
      queueType: this.options.queueType,
      nativeDelayedDelivery: this.options.nativeDelayedDelivery && broker instanceof AmqpBroker,
    });
    this.eta = new EtaScheduler(
      this.options.etaHoldLimitMs === false
        ? undefined
        : new EtaParking(broker, this.options.etaHoldLimitMs, this.logger, (queue) => this.consumers.queueTypeOf(queue)),
      (held) => this.consumers.raisePrefetch(held),
    );
    this.reporter = this.resultStore
      ? new RedisResultReporter(this.resultStore, { producer, hostname: this.nodeName, extended: this.options.resultExtended, logger: this.logger })
      : new TaskResultReporter(broker, this.options.resultBackend === 'rpc');
    return new TaskRunner({
      hostname: this.nodeName,
      acksLate: this.options.acksLate,
      trackStarted: this.options.trackStarted,
      logger: this.logger,
      tracker,
      outcome: new TaskOutcome(
        this.reporter,
        new WorkflowPublisher(producer, this.resultStore ? (groupId, size) => this.resultStore!.setChordSize(groupId, size) : undefined),
        this.refusals,
        tracker,
        this.options.acksLate,
        this.logger,
      ),
      eta: this.eta,
      rateLimits: this.rateLimits,
      invoke: (handler, payload, ctx) => this.invoke(handler, payload, ctx),
      isClosing: () => this.closing !== undefined,
      onError: (error) => this.emitError(error),
      onSettled: () => {
        if (--this.activeTasks === 0 && this.onIdle) this.onIdle();
      },
    });
  }

  /** Connects, waiting through any number of connect timeouts (the broker logs each reconnect window); a fatal error or `close()` ends the wait. */
  private async awaitBroker(broker: Broker): Promise<void> {
    for (;;) {
      try {
        return await broker.connect();
      } catch (error) {
        if (!(error instanceof BrokerUnavailableError) || this.closing) throw error;
      }
    }
  }

  /** The fatal failures of this worker's broker connections (the memory broker has none). */
  private brokerFailures(): Observable<Error> | undefined {
    const sources = [this.broker?.failure$, this.asyncBroker?.failure$].filter((source) => source !== undefined);
    return sources.length > 0 ? merge(...sources) : undefined;
  }

  /** A fatal broker error after start: the worker closes, then hands the error to `error` listeners or throws it (non-zero exit). */
  private async stopOnFatal(error: Error): Promise<void> {
    if (this.closing) return;
    this.logger.error(ServerMessages.fatal(error.message));
    await this.close().catch(() => undefined);
    if (this.errorListeners.size > 0) this.emitError(error);
    else
      process.nextTick(() => {
        throw error;
      });
  }

  private async shutdown(): Promise<void> {
    this.failureSubscription?.unsubscribe();
    await this.control.stop();
    await this.consumers.cancelAll();
    this.eta?.close();
    this.rateLimits.close();
    if (this.inFlight.size > 0 || this.activeTasks > 0) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), this.options.shutdownTimeoutMs);
      });
      const idle = this.activeTasks === 0 ? undefined : new Promise<void>((resolve) => (this.onIdle = resolve));
      const outcome = await Promise.race([Promise.allSettled([...this.inFlight, idle]), timeout]);
      clearTimeout(timer);
      if (outcome === 'timeout') {
        this.logger.warn(ServerMessages.drainTimeout(this.inFlight.size + this.activeTasks));
        this.control.cancelRunning(new Error('worker shutting down'));
      }
    }
    await this.reporter?.close().catch(() => undefined);
    if (!this.reporter) await this.resultStore?.close();
    this.statusSubscription?.unsubscribe();
    // A broker given in the options belongs to the caller (it may be shared with clients).
    if (!this.options.broker) await this.broker?.close();
    await this.asyncBroker?.close();
    this._status$.next('disconnected');
  }

  private emitError(error: Error): void {
    for (const listener of this.errorListeners) listener(error);
  }

  private track(work: Promise<void>): void {
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work));
  }

  /** Entry point of every delivery: decode, check, then schedule or run. Never throws. */
  private onDelivery(queue: string, delivery: Delivery, limiter: ConcurrencyLimiter): void {
    if (this.closing) {
      delivery.reject(true);
      return;
    }
    if (this.refusedOverDeliveryLimit(queue, delivery)) return;
    const { request, reason, detail } = decodeTaskDelivery(delivery);
    if (!request) {
      this.observer?.taskRejected?.('undecodable', undefined, queue);
      this.track(this.refusals.deadLetter(queue, delivery, reason, detail));
      return;
    }
    this.activeTasks++;
    this.observer?.taskReceived?.(queue, request);
    if (this.options.resultExtended && this.reporter instanceof RedisResultReporter) this.reporter.queues.set(request, delivery.message.fields.routingKey);
    void this.runner!.accept(queue, delivery, request, this.messageHandlers.get(request.task), limiter);
  }

  /** Dead-letters (reason `delivery-limit`) a quorum-queue message delivered more often than `deliveryLimit`; true when it did. */
  private refusedOverDeliveryLimit(queue: string, delivery: Delivery): boolean {
    const detail = overDeliveryLimit(delivery, this.options.deliveryLimit);
    if (detail === undefined) return false;
    this.track(this.refusals.deadLetter(queue, delivery, DELIVERY_LIMIT_REASON, detail));
    return true;
  }

  /** Runs a task handler, inside Nest's processing hooks when any are registered (not async: returning the handler's promise from an async function would cost extra ticks). */
  private invoke(handler: MessageHandler, payload: unknown, ctx: CeleryContext): Promise<unknown> {
    if (this.processingHooksAreNoop()) return runTaskHandler(handler, payload, ctx);
    return new Promise<unknown>((resolve, reject) => {
      this.runWithProcessingHooks(ctx, async (endHook) => {
        try {
          resolve(await runTaskHandler(handler, payload, ctx));
        } catch (error) {
          reject(error);
        } finally {
          endHook();
        }
      });
    });
  }

  /** True when no processing hooks are registered: Nest's default start hook only calls `done`, and there is no end hook. */
  private processingHooksAreNoop(): boolean {
    return this.onProcessingStartHook === this.noopStartHook && !this.onProcessingEndHook;
  }

  /** What the {@link EventDispatcher} uses of this worker: its pipeline, concurrency, tracking and dead-lettering. */
  private eventDispatchHost(): EventDispatchHost {
    const hooks: ProcessingHooksRunner = (context, fn) => {
      if (this.processingHooksAreNoop()) void fn(noEndHook);
      else this.runWithProcessingHooks(context, fn);
    };
    return {
      hostname: this.nodeName,
      logger: this.logger,
      isClosing: () => this.closing !== undefined,
      queueType: this.options.queueType,
      refusedOverDeliveryLimit: (queue, delivery) => this.refusedOverDeliveryLimit(queue, delivery),
      track: (work) => this.track(work),
      run: (handler, payload, ctx) => {
        const run = this.limiter.run(() => invokeEventHandler(handler, payload, ctx, hooks));
        const observer = this.observer;
        if (!observer?.eventHandled) return run;
        const routingKey = ctx.message.fields.routingKey;
        return run.then(
          () => observer.eventHandled!(routingKey, ctx.handler, true),
          (error: unknown) => {
            observer.eventHandled!(routingKey, ctx.handler, false);
            throw error;
          },
        );
      },
      deadLetter: (queue, delivery, reason, detail, logLine, headers) => {
        this.observer?.eventDeadLettered?.(queue, reason);
        return this.refusals.deadLetter(queue, delivery, reason, detail, logLine, headers);
      },
    };
  }
}
