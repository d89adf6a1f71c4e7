import { Logger, type LoggerService } from '@nestjs/common';
import { Server, type CustomTransportStrategy, type MessageHandler } from '@nestjs/microservices';
import { isObservable, lastValueFrom, merge, type Observable, type Subscription } from 'rxjs';
import { BrokerUnavailableError } from '../broker/broker.errors.js';
import { createBroker } from '../broker/broker.factory.js';
import type { Broker, BrokerStatus, ConsumerHandle } from '../broker/broker.js';
import type { Delivery } from '../broker/delivery.js';
import { defaultBrokerUrl } from '../client/celery-client.options.js';
import { defaultNodeName } from '../client/node-identity.js';
import { TaskProducer } from '../client/task-producer.js';
import { queueInfoFromTopology } from '../control/queue-info.js';
import { WorkerControl } from '../control/worker-control.js';
import { EventDispatcher, type EventDispatchHost } from '../events/event-dispatcher.js';
import { invokeEventHandler, type ProcessingHooksRunner } from '../events/event-handler.invoker.js';
import { CELERY_EVENT_SUBSCRIPTION } from '../events/event-subscription.js';
import { CeleryState } from '../protocol/celery-state.js';
import { CeleryEncodeError, toCeleryJsonData } from '../protocol/celery-json.encoder.js';
import { speaksTypeMarkers } from '../protocol/celery-json.markers.js';
import { toExceptionInfo, toTraceback } from '../protocol/exception-info.js';
import { resultTuple } from '../protocol/result-message.js';
import type { TaskRequest } from '../protocol/task-message.js';
import { CeleryContext } from './celery-context.js';
import { CeleryRetry, MaxRetriesExceededError } from './celery-retry.js';
import { CELERY_TASK_OPTIONS, type CeleryTaskOptions } from './celery-task.options.js';
import { CELERY_TRANSPORT } from './celery-transport.js';
import { ConcurrencyLimiter } from './concurrency-limiter.js';
import { DeadLetterPublisher, decodeTaskDelivery } from './dead-letter.publisher.js';
import { unwrapHandlerError } from './handler-error.js';
import { nestExceptionArgs } from './nest-exception.args.js';
import { ServerMessages } from './server.messages.js';
import { celerySettings, resolveServerOptions, type ResolvedServerOptions, type ServerCeleryOptions } from './server-celery.options.js';
import { bindTaskArguments } from './task-arguments.binder.js';
import { installCeleryErrorCapture } from './celery-error.capture.js';
import { TaskResultReporter } from './task-result.reporter.js';
import { hasTimeLimits, TimeLimitExceededError, withTimeLimits } from './time-limits.js';
import { EtaParking } from './eta-parking.js';
import { WorkflowPublisher } from './workflow.publisher.js';
import { planWorkerQueues } from './worker-queue.plan.js';
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

const MAX_TIMER_MS = 2_147_000_000;

/** The end hook handed to a handler run when no processing hooks are registered. */
const noEndHook = (): void => undefined;

/** Settlement of a message acknowledged before its task ran: nothing left to do. */
const noSettle = (): void => undefined;

function sleepUntil(when: number, timers: Set<NodeJS.Timeout>): Promise<void> {
  return new Promise((resolve) => {
    const step = () => {
      const left = when - Date.now();
      if (left <= 0) return resolve();
      const timer = setTimeout(() => {
        timers.delete(timer);
        step();
      }, Math.min(left, MAX_TIMER_MS));
      timers.add(timer);
    };
    step();
  });
}

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
  private reporter?: TaskResultReporter;
  private workflow?: WorkflowPublisher;
  private etaParking?: EtaParking;
  private events?: EventDispatcher;
  private limiter: ConcurrencyLimiter;
  private readonly consumers: ConsumerHandle[] = [];
  private readonly basePrefetch = new Map<ConsumerHandle, number>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly etaTimers = new Set<NodeJS.Timeout>();
  private readonly heldDeliveries = new Set<Delivery>();
  /** Wake-ups of the tasks held for their ETA: shutdown calls them, so held tasks never block the drain. */
  private readonly etaWakers = new Set<() => void>();
  private readonly errorListeners = new Set<(error: Error) => void>();
  private readonly control: WorkerControl;
  private readonly refusals: DeadLetterPublisher;
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
    installCeleryErrorCapture();
    this.options = resolveServerOptions(options, defaultBrokerUrl());
    this.nodeName = options.nodeName ?? defaultNodeName();
    this.limiter = new ConcurrencyLimiter(this.options.concurrency);
    this.logger = options.logger ?? new Logger('ServerCelery');
    this.refusals = new DeadLetterPublisher(() => this.broker, this.options.deadLetter, this.nodeName, this.logger);
    this.control = new WorkerControl({
      hostname: this.nodeName,
      concurrency: this.options.concurrency,
      prefetchCount: this.options.prefetchCount,
      brokerUrl: this.options.brokerUrl,
      acksEarly: !this.options.acksLate,
      workerEvents: this.options.workerEvents,
      taskEvents: this.options.taskEvents,
      settings: celerySettings(this.options),
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
        connectionName: `nestjs-celery-worker ${this.nodeName}`,
        logger: this.logger,
      });
    this.broker = broker;
    this.statusSubscription = broker.status$.subscribe((status: BrokerStatus) => {
      if (status === 'connected') this._status$.next('connected');
      else if (status === 'reconnecting') this._status$.next('reconnecting');
      else this._status$.next('disconnected');
    });
    if (this.options.asyncBrokerUrl) {
      this.asyncBroker = createBroker({
        url: this.options.asyncBrokerUrl,
        connectionName: `nestjs-celery-worker ${this.nodeName} async`,
        logger: this.logger,
      });
    }
    const producer = new TaskProducer(broker, this.options.defaultQueue, this.nodeName, {
      router: this.options.router,
      asyncBroker: this.asyncBroker,
      wireHeaders: this.options.wireHeaders,
    });
    this.reporter = new TaskResultReporter(broker, this.options.resultBackend === 'rpc');
    this.workflow = new WorkflowPublisher(producer);
    if (this.options.etaHoldLimitMs !== false) this.etaParking = new EtaParking(broker, this.options.etaHoldLimitMs, this.logger);
    await this.awaitBroker(broker);
    if (this.asyncBroker) await this.awaitBroker(this.asyncBroker);
    const { deadLetter } = this.options;
    if (deadLetter) {
      await broker.declare({
        exchanges: [{ name: deadLetter.exchange, type: 'fanout', durable: true }],
        queues: [{ name: deadLetter.queue, durable: true }],
        bindings: [{ queue: deadLetter.queue, exchange: deadLetter.exchange, routingKey: '' }],
      });
    }
    const plans = planWorkerQueues(this.options);
    const brokerOf = (lane: string) => (lane === 'async' ? (this.asyncBroker ?? broker) : broker);
    for (const plan of plans) await brokerOf(plan.lane).declare(plan.topology);
    for (const plan of plans) {
      const limiter = plan.concurrency === undefined ? this.limiter : new ConcurrencyLimiter(plan.concurrency);
      const handle = await brokerOf(plan.lane).consume(plan.name, (delivery) => this.onDelivery(plan.name, delivery, limiter), {
        prefetch: plan.prefetch,
      });
      this.basePrefetch.set(handle, plan.prefetch);
      this.consumers.push(handle);
    }
    if (this.events) this.consumers.push(...(await this.events.start(broker, this.options.prefetchCount)));
    if (this.options.remoteControl) await this.control.start(broker);
    await this.control.startEvents(broker);
    this.logger.log(ServerMessages.listening(this.nodeName, [...plans.map((q) => q.name), ...this.eventQueues()], this.registeredTasks().length));
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
    await Promise.all(this.consumers.map((c) => c.cancel().catch(() => undefined)));
    this.consumers.length = 0;
    this.basePrefetch.clear();
    for (const timer of this.etaTimers) clearTimeout(timer);
    this.etaTimers.clear();
    for (const delivery of this.heldDeliveries) delivery.reject(true);
    this.heldDeliveries.clear();
    for (const wake of this.etaWakers) wake();
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
        for (const ctx of this.control.activity.runningContexts()) ctx.cancel(new Error('worker shutting down'));
      }
    }
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
    const { request, reason, detail } = decodeTaskDelivery(delivery);
    if (!request) {
      this.track(this.refusals.deadLetter(queue, delivery, reason, detail));
      return;
    }
    this.activeTasks++;
    void this.accept(queue, delivery, request, limiter);
  }

  private async accept(queue: string, delivery: Delivery, request: TaskRequest, limiter: ConcurrencyLimiter): Promise<void> {
    try {
      const handler = this.messageHandlers.get(request.task);
      if (!handler || handler.extras?.[CELERY_EVENT_SUBSCRIPTION]) {
        this.control.taskEvents?.notRegistered(request);
        this.reporter!.notRegistered(request);
        await this.workflow!.followFailure(request).catch(() => undefined);
        await this.refusals.deadLetter(queue, delivery, 'not-registered', `unregistered task '${request.task}'`, (action) =>
          ServerMessages.unregistered(request.task, action),
        );
        return;
      }
      if (this.discardedAsStale(delivery, request)) return;
      this.control.taskReserved(request, delivery);
      if (request.eta && request.eta.getTime() > Date.now()) {
        if (this.etaParking?.shouldPark(request.eta) && (await this.etaParking.park(queue, delivery))) return;
        await this.holdUntilEta(delivery, request.eta.getTime());
        if (this.closing) return;
      }
      const slot = limiter.acquire();
      if (slot) await slot;
      try {
        await this.execute(queue, delivery, request, handler);
      } catch (error) {
        // From the early ack on, the body counts as run: whatever fails after it is reported and the
        // message settled, never requeued, so the body never runs twice for it (Celery's tracer
        // catches such errors and the request is acked). Only a crash before running requeues.
        this.logger.error(ServerMessages.crashedAfterRun(request.task, request.id, (error as Error).message));
        this.emitError(error as Error);
        this.settle(delivery);
      } finally {
        limiter.release();
      }
    } catch (error) {
      this.logger.error(ServerMessages.handlerCrashed(request.task, request.id, (error as Error).message));
      this.emitError(error as Error);
      this.control.taskEvents?.rejected(request, true);
      delivery.reject(true);
    } finally {
      this.control.taskReady(request);
      if (--this.activeTasks === 0 && this.onIdle) this.onIdle();
    }
  }

  /** Holds an ETA task unacknowledged until its time, raising the prefetch meanwhile (as Celery does). */
  private async holdUntilEta(delivery: Delivery, when: number): Promise<void> {
    this.heldDeliveries.add(delivery);
    this.adjustPrefetch();
    let wake!: () => void;
    const woken = new Promise<void>((resolve) => this.etaWakers.add((wake = resolve)));
    try {
      await Promise.race([sleepUntil(when, this.etaTimers), woken]);
    } finally {
      this.etaWakers.delete(wake);
      this.heldDeliveries.delete(delivery);
      this.adjustPrefetch();
    }
  }

  private adjustPrefetch(): void {
    const held = this.heldDeliveries.size;
    for (const consumer of this.consumers) void consumer.setPrefetch((this.basePrefetch.get(consumer) ?? this.options.prefetchCount) + held);
  }

  /**
   * A revoked or expired task is not run: REVOKED result (`revoked` / `expired`), ack (Celery's
   * `Request.revoked()`). Asked on arrival and again right before running (after an ETA hold or a
   * wait for a free slot). True when the task was discarded.
   */
  private discardedAsStale(delivery: Delivery, request: TaskRequest): boolean {
    let reason: 'revoked' | 'expired';
    if (this.control.isRevoked(request.id)) {
      this.control.discarded(request);
      reason = 'revoked';
    } else if (request.expires && request.expires.getTime() <= Date.now()) {
      reason = 'expired';
    } else {
      return false;
    }
    this.control.taskEvents?.revoked(request, reason);
    this.reporter!.revoked(request, reason);
    delivery.ack();
    return true;
  }

  /** Acknowledges a task that ran (or was terminated) when acks are late; with early acks it was acked before running. */
  private settle(delivery: Delivery): void {
    if (this.options.acksLate) delivery.ack();
  }

  private async execute(queue: string, delivery: Delivery, request: TaskRequest, handler: MessageHandler): Promise<void> {
    if (this.discardedAsStale(delivery, request)) return;
    if (!this.options.acksLate) delivery.ack();
    const ctx = new CeleryContext(request, delivery.message, this.nodeName);
    const taskOptions = handler.extras?.[CELERY_TASK_OPTIONS] as CeleryTaskOptions | undefined;
    if (this.options.trackStarted) {
      this.reporter!.report(request, CeleryState.STARTED, { pid: process.pid, hostname: this.nodeName });
    }
    this.control.taskStarted(ctx);
    let terminated = false;
    let value: unknown;
    let failed = false;
    let failure: unknown;
    try {
      value = await (hasTimeLimits(request.timeLimit, taskOptions)
        ? withTimeLimits(ctx, request.timeLimit, taskOptions, () => this.invoke(handler, request, ctx, taskOptions))
        : this.invoke(handler, request, ctx, taskOptions));
    } catch (error) {
      failed = true;
      failure = error instanceof TimeLimitExceededError ? error : unwrapHandlerError(error, ctx);
    } finally {
      terminated = this.control.taskFinished(ctx);
    }
    if (terminated) {
      this.reporter!.revoked(request, 'terminated');
      this.settle(delivery);
    } else if (!failed) {
      const { callbacks, chain } = request.embed;
      if (callbacks?.length || chain?.length) await this.succeedWithFollowUps(delivery, request, taskOptions, value);
      else {
        // only a result that cannot be encoded makes this asynchronous: no extra tick otherwise
        const failing = this.succeed(delivery, request, taskOptions, value, []);
        if (failing) await failing;
      }
    } else if (failure instanceof CeleryRetry) {
      await this.retry(queue, delivery, request, ctx, taskOptions, failure);
    } else {
      await this.fail(request, failure);
      this.settle(delivery);
    }
  }

  /** Binds the arguments and runs the handler, inside the processing hooks when any are registered (not async: returning the handler's promise from an async function would cost extra ticks). */
  private invoke(
    handler: MessageHandler,
    request: TaskRequest,
    ctx: CeleryContext,
    taskOptions: CeleryTaskOptions | undefined,
  ): Promise<unknown> {
    const payload = bindTaskArguments(request.task, request.args, request.kwargs, taskOptions);
    if (this.processingHooksAreNoop()) return this.runHandler(handler, payload, ctx);
    return new Promise<unknown>((resolve, reject) => {
      this.runWithProcessingHooks(ctx, async (endHook) => {
        try {
          resolve(await this.runHandler(handler, payload, ctx));
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

  /** Calls the handler and waits for its value (a retry request kept by the task-error capture is thrown); {@link invoke} wraps it in the processing hooks when any are registered. */
  private async runHandler(handler: MessageHandler, payload: unknown, ctx: CeleryContext): Promise<unknown> {
    const produced = await handler(payload, ctx);
    const output = isObservable(produced) ? await lastValueFrom(produced, { defaultValue: null }) : produced;
    const retry = ctx.capturedError?.error;
    if (retry instanceof CeleryRetry) throw retry;
    return output === undefined ? null : output;
  }

  /** Sends the task's callbacks and next chain step, then reports SUCCESS with them as children. */
  private async succeedWithFollowUps(
    delivery: Delivery,
    request: TaskRequest,
    taskOptions: CeleryTaskOptions | undefined,
    value: unknown,
  ): Promise<void> {
    // A value the follow-ups cannot carry fails the task at once, as Celery's trace does.
    const unencodable = encodeErrorOf(value, speaksTypeMarkers(request.headers));
    if (unencodable) return this.failUnencodable(delivery, request, unencodable);
    let children: unknown[];
    try {
      children = await this.workflow!.followSuccess(request, value);
    } catch (error) {
      // Celery's tracer (app/trace.py): an error applying the callbacks or the next chain step
      // fails the task with that error (errbacks called) and the message is acknowledged.
      this.logger.error(ServerMessages.followUpFailed(request.task, request.id, (error as Error).message));
      await this.fail(request, error);
      this.settle(delivery);
      return;
    }
    await this.succeed(delivery, request, taskOptions, value, children);
  }

  /**
   * Reports SUCCESS unless the result is ignored, and settles. A result that cannot be written
   * as JSON is a FAILURE with kombu's `EncodeError` instead, as a Python worker reports it.
   */
  private succeed(
    delivery: Delivery,
    request: TaskRequest,
    taskOptions: CeleryTaskOptions | undefined,
    value: unknown,
    children: unknown[],
  ): Promise<void> | void {
    if (!request.ignoreResult && !taskOptions?.ignoreResult) {
      try {
        this.reporter!.report(request, CeleryState.SUCCESS, value, null, children);
      } catch (error) {
        if (error instanceof CeleryEncodeError) return this.failUnencodable(delivery, request, error);
        this.logger.warn(ServerMessages.replyFailed(request.task, request.id, (error as Error).message));
      }
    }
    this.control.taskEvents?.succeeded(request, value);
    this.settle(delivery);
  }

  /** FAILURE with the `EncodeError` of a result that cannot be written; logged once, like any failure. */
  private async failUnencodable(delivery: Delivery, request: TaskRequest, error: CeleryEncodeError): Promise<void> {
    this.logger.error(ServerMessages.resultUnencodable(request.task, request.id, error.message));
    await this.fail(request, error);
    this.settle(delivery);
  }

  private async fail(request: TaskRequest, error: unknown): Promise<void> {
    this.control.taskEvents?.failed(request, error);
    const info = toExceptionInfo(error, nestExceptionArgs(error));
    const traceback = toTraceback(error);
    try {
      this.reporter!.report(request, CeleryState.FAILURE, info, traceback);
      this.reporter!.failChain(request.embed.chain, info, traceback);
    } catch (e) {
      this.logger.warn(ServerMessages.replyFailed(request.task, request.id, (e as Error).message));
    }
    await this.workflow!.followFailure(request).catch((e: Error) =>
      this.logger.warn(ServerMessages.replyFailed(request.task, request.id, `errbacks: ${e.message}`)),
    );
  }

  private async retry(
    queue: string,
    delivery: Delivery,
    request: TaskRequest,
    ctx: CeleryContext,
    taskOptions: CeleryTaskOptions | undefined,
    retry: CeleryRetry,
  ): Promise<void> {
    const maxRetries = retry.options.maxRetries !== undefined ? retry.options.maxRetries : (taskOptions?.maxRetries ?? 3);
    if (maxRetries !== null && request.retries >= maxRetries) {
      const exhausted =
        retry.options.exc ?? new MaxRetriesExceededError(`Can't retry ${request.task}[${request.id}] args:${JSON.stringify(request.args)} kwargs:${JSON.stringify(request.kwargs)}`);
      await this.fail(request, exhausted);
      this.settle(delivery);
      return;
    }
    const countdown = retry.options.countdown ?? taskOptions?.defaultRetryDelay ?? 180;
    const eta = retry.options.eta ?? new Date(Date.now() + countdown * 1000);
    try {
      await this.workflow!.retry(request, ctx.deliveryInfo, eta);
    } catch (error) {
      await this.retryNotSent(queue, delivery, request, error);
      return;
    }
    this.control.taskEvents?.retried(request, retry.options.exc, toTraceback(retry));
    // Celery stores the retry's `exc` (or None when the task gave none) as the RETRY result.
    const { exc } = retry.options;
    const info = exc === undefined ? null : toExceptionInfo(exc, nestExceptionArgs(exc));
    try {
      this.reporter!.report(request, CeleryState.RETRY, info, toTraceback(retry), [resultTuple(request.id)]);
    } catch {
      // a RETRY state the caller cannot read is not worth failing the retry for
    }
    this.settle(delivery);
  }

  /**
   * A retry that could not be republished. Celery's `Task.retry` raises `Reject(requeue=False)`
   * then: the message is rejected, not run again. Here it is dead-lettered (or rejected) once, and
   * the caller gets FAILURE with the error instead of waiting forever (Celery leaves it PENDING).
   */
  private async retryNotSent(queue: string, delivery: Delivery, request: TaskRequest, error: unknown): Promise<void> {
    const detail = (error as Error).message;
    this.control.taskEvents?.rejected(request, false);
    try {
      const info = toExceptionInfo(error);
      const traceback = toTraceback(error);
      this.reporter!.report(request, CeleryState.FAILURE, info, traceback);
      this.reporter!.failChain(request.embed.chain, info, traceback);
    } catch (e) {
      this.logger.warn(ServerMessages.replyFailed(request.task, request.id, (e as Error).message));
    }
    // With early acks the message is already acknowledged: only its dead-letter copy is left to send.
    const target = this.options.acksLate ? delivery : { message: delivery.message, ack: noSettle, reject: noSettle };
    await this.refusals.deadLetter(queue, target, 'retry-not-sent', detail, (action) => ServerMessages.retryNotSent(request.task, request.id, detail, action));
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
      track: (work) => this.track(work),
      run: (handler, payload, ctx) => this.limiter.run(() => invokeEventHandler(handler, payload, ctx, hooks)),
      deadLetter: (queue, delivery, reason, detail, logLine, headers) => this.refusals.deadLetter(queue, delivery, reason, detail, logLine, headers),
    };
  }
}

/** The {@link CeleryEncodeError} of a task value that cannot be written as Celery JSON (with type markers or not), if any. */
function encodeErrorOf(value: unknown, typeMarkers: boolean): CeleryEncodeError | undefined {
  try {
    toCeleryJsonData(value, 'result', { typeMarkers });
    return undefined;
  } catch (error) {
    if (error instanceof CeleryEncodeError) return error;
    throw error;
  }
}
