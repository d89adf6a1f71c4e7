import type { LoggerService } from '@nestjs/common';
import { BrokerConfigurationError } from '../broker/broker.errors.js';
import { brokerUrlList, resolveBrokerConnection, type BrokerConnectionOptions, type BrokerUrls } from '../broker/broker-connection.options.js';
import type { Broker } from '../broker/broker.js';
import { redactUrl } from '../broker/broker-url.redaction.js';
import type { QueueType } from '../broker/topology.js';
import { isWireHeaders, WIRE_HEADERS_CHOICES, type WireHeaders } from '../protocol/task-message.js';
import { parseResultBackend, resultExpiresProblem, type ResultBackendChoice, type ResultBackendOptions } from '../results/result-backend.options.js';
import type { TaskRoutes } from '../routing/task-routes.js';
import type { CeleryObserver } from '../runtime/celery-observer.js';
import { DEFAULT_ETA_HOLD_LIMIT_MS } from './eta-parking.js';
import { resolveServiceRouting, type ServiceConcurrency } from './service-routing.options.js';

/** A queue the worker consumes, with optional queue arguments (must match every other declarer). */
export interface WorkerQueue {
  name: string;
  /** Queue arguments, e.g. `{ 'x-max-priority': 10 }`. Python Celery declares `celery` with none. */
  arguments?: Record<string, unknown>;
  /** Handlers of this queue running at once, with their own limit. Default: the worker's shared `concurrency`. */
  concurrency?: number;
  /** `quorum` or `classic` for this queue. Default: the worker's `queueType`. */
  queueType?: QueueType;
}

/** Where rejected messages are republished, with headers saying why. */
export interface DeadLetterOptions {
  /** Durable fanout exchange for dead letters. */
  exchange: string;
  /** Durable queue bound to it. Default: `<exchange>.queue`. */
  queue?: string;
}

/** Options of `ServerCelery`, validated at `listen()` with an error naming the bad option. */
export interface ServerCeleryOptions extends ResultBackendOptions {
  /**
   * RabbitMQ URL (`amqp://` or `amqps://`), a cluster's URLs (`'amqp://a//;amqp://b//'` or an
   * array), a Redis URL (`redis://`, `rediss://`: kombu's Redis transport, see docs/redis-broker.md),
   * or `memory://<vhost>` for the in-process broker. Default: `CELERY_BROKER_URL`, else
   * `amqp://guest:guest@127.0.0.1:5672//`.
   */
  brokerUrl?: BrokerUrls;
  /**
   * TLS, heartbeat, timeouts, frame and channel limits, vhost, client properties, failover
   * strategy and reconnect backoff of the worker's broker connection(s). See `BrokerConnectionOptions`.
   */
  brokerConnection?: BrokerConnectionOptions;
  /**
   * Use this broker instead of opening an `AmqpBroker` on `brokerUrl`: e.g. a `MemoryBroker` for
   * tests and embedded runs, or a connection shared with a `CeleryClient`. The worker does not
   * close a broker it was given. Not together with `brokerUrl`.
   */
  broker?: Broker;
  /**
   * Queues to consume. Default `['celery']`, or none besides the service's convention queues when
   * `service` is set. Each is declared like Celery (durable queue, direct exchange, binding).
   */
  queues?: Array<string | WorkerQueue>;
  /**
   * Handlers running at once. Default 16. With `service`, `{ sync: 8, async: 2 }` gives the
   * convention queues separate limits (each defaults to 16; other queues share a limit of 16).
   */
  concurrency?: number | ServiceConcurrency;
  /**
   * Name of the service this worker belongs to (e.g. `billing`): names its convention queues
   * (`billing.sync`, `billing.async`) and its event queues (`billing.order-events`).
   */
  service?: string;
  /**
   * Consume the service's convention queues (topic exchange `<service>`, queue `<service>.sync`
   * bound with `<service>.sync.#`, queue `<service>.async` bound with `<service>.async.#`).
   * Default true when `service` is set; `false` turns the convention off, `{ async: false }` one half.
   */
  serviceQueues?: boolean | { sync?: boolean; async?: boolean };
  /** Broker URL(s) of the `async` lane (`amqp://`, `amqps://`, `redis://`, `rediss://` or `memory://<vhost>`): `<service>.async` is consumed there. Default: `brokerUrl`. */
  asyncBrokerUrl?: BrokerUrls;
  /** Celery's `task_routes` for follow-up tasks this worker sends (chain steps, callbacks, errbacks). */
  taskRoutes?: TaskRoutes;
  /** Other services whose convention routes this worker's follow-up tasks (its own service is included). */
  services?: string[];
  /** Unacknowledged messages per queue consumer. Default `concurrency * 4` (Celery's prefetch multiplier). */
  prefetchCount?: number;
  /** Ack after the handler finished (default true). False acks before running, like Celery's default. */
  acksLate?: boolean;
  /**
   * Header table of the tasks this worker sends (chain steps, callbacks, errbacks, retries):
   * `'compact'` (default), `'full'` or `'body'`, as in `CeleryClientOptions.wireHeaders`.
   */
  wireHeaders?: WireHeaders;
  /** Node name shown to `celery inspect`. Default `nest<pid>@<hostname>`. */
  nodeName?: string;
  /** Send a STARTED result before running (Celery's `task_track_started`). Default false. */
  trackStarted?: boolean;
  /** Queue for follow-up tasks (chain steps, callbacks) whose signature names no route. Default `celery`. */
  defaultQueue?: string;
  /**
   * Dead-letter malformed and unroutable messages here (with reason headers) instead of dropping them.
   * Default with `service`: exchange and queue `<service>.dead-letter` (also where failed events go).
   */
  deadLetter?: DeadLetterOptions;
  /**
   * Longest time an ETA / countdown task is held unacknowledged on the consumer. A task due later
   * is parked in `<queue>.eta-parking` (a TTL queue that dead-letters back) until its ETA is this
   * close, because RabbitMQ closes a channel whose delivery stays unacknowledged past its
   * `consumer_timeout` (30 min by default). Default 900 000 (15 min); `false` holds every ETA task
   * like Celery does. An integer from 1000 to 2 147 483 647.
   */
  etaHoldLimitMs?: number | false;
  /**
   * Type of the queues this worker declares: its task queues, convention queues, shared event
   * queues and dead-letter queue (reply, broadcast and remote-control queues stay classic).
   * `quorum` declares them as Celery 5.5 does with `task_default_queue_type = 'quorum'`
   * (`x-queue-type: quorum`, no other argument, so a Celery 5.5 worker shares them without a 406),
   * consumes them with a per-consumer prefetch (quorum queues refuse a global one) and turns on
   * {@link nativeDelayedDelivery} and {@link deliveryLimit}. Clients declaring the same queues need
   * the same `queueType`. Default `classic`.
   */
  queueType?: QueueType;
  /**
   * On quorum queues: a message delivered this many times (RabbitMQ's `x-delivery-count` header
   * counts redeliveries after crashes, lost connections and requeues) is dead-lettered with reason
   * `delivery-limit` instead of run again, so a poison message cannot loop forever. Not a queue
   * argument (Celery declares none): enforced by the worker. `false` turns it off. Default 20.
   */
  deliveryLimit?: number | false;
  /**
   * Celery 5.5's native delayed delivery: declare the `celery_delayed_*` exchanges and queues and
   * bind every consumed queue on a topic exchange to them (as Celery 5.5's `DelayedDelivery`
   * bootstep does), so countdown / ETA tasks from Celery 5.5 clients and from this worker's
   * retries wait in RabbitMQ instead of unacknowledged here. Queues on direct exchanges (Celery's
   * `queue=` topology) cannot take part; their ETA tasks are held as before. Default: true with
   * `queueType: 'quorum'`.
   */
  nativeDelayedDelivery?: boolean;
  /** How long `close()` waits for running tasks. Default 30 000 ms. */
  shutdownTimeoutMs?: number;
  /**
   * Answer Celery's remote control (`celery inspect`, `celery status`, `revoke`) on the
   * `<nodeName>.celery.pidbox` queue, like Celery's `worker_enable_remote_control`. Default true.
   * Revoked ids are honoured either way.
   */
  remoteControl?: boolean;
  /**
   * Send worker events to Celery's `celeryev` exchange: `worker-online` at `listen()`,
   * `worker-heartbeat` every 2 s, `worker-offline` at `close()`, so `celery events`, Flower and
   * `app.events.State()` see the worker alive. Default true, as a Celery worker sends them
   * without `-E` (its `--without-heartbeat` is `false` here).
   */
  workerEvents?: boolean;
  /**
   * Send task events (`task-received`, `task-started`, `task-succeeded`, `task-failed`,
   * `task-retried`, `task-revoked`, `task-rejected`) to `celeryev`, like Celery's
   * `worker_send_task_events` / `celery worker -E`. The `enable_events` and `disable_events`
   * control commands turn them on and off at run time. Default false.
   */
  taskEvents?: boolean;
  /**
   * Told of every task, event and publish this worker handles (`nestjs-celery/metrics` provides
   * one: `CeleryMetrics`). Default none: then the worker calls nothing extra per message.
   */
  observer?: CeleryObserver;
  logger?: LoggerService;
}

/** A bad `ServerCelery` option; the message names it and says what is expected. */
export class InvalidCeleryOptionError extends Error {
  override readonly name = 'InvalidCeleryOptionError';
}

function positiveInteger(value: unknown, option: string): void {
  if (value !== undefined && (typeof value !== 'number' || !Number.isInteger(value) || value < 1)) {
    throw new InvalidCeleryOptionError(`ServerCelery option '${option}' must be a positive integer, got ${String(value)}`);
  }
}

function queueTypeOption(value: unknown, option: string): void {
  if (value !== undefined && value !== 'classic' && value !== 'quorum') {
    throw new InvalidCeleryOptionError(`ServerCelery option '${option}' must be 'classic' or 'quorum', got ${JSON.stringify(value)}`);
  }
}

function booleanOption(value: unknown, option: string): void {
  if (value !== undefined && typeof value !== 'boolean') {
    throw new InvalidCeleryOptionError(`ServerCelery option '${option}' must be true or false, got ${String(value)}`);
  }
}

const BROKER_METHODS = ['connect', 'whenConnected', 'declare', 'hasQueue', 'publish', 'publishUnconfirmed', 'consume', 'close'] as const;

function validateBroker(options: ServerCeleryOptions): void {
  const { broker } = options;
  if (broker === undefined) return;
  const missing =
    typeof broker !== 'object' || broker === null
      ? ['(not an object)']
      : BROKER_METHODS.filter((method) => typeof (broker as unknown as Record<string, unknown>)[method] !== 'function');
  if (missing.length > 0) {
    throw new InvalidCeleryOptionError(
      `ServerCelery option 'broker' must implement Broker (an AmqpBroker or MemoryBroker); missing ${missing.join(', ')}`,
    );
  }
  if (options.brokerUrl !== undefined) {
    throw new InvalidCeleryOptionError("ServerCelery options 'broker' and 'brokerUrl' exclude each other: give one of them");
  }
}

/** The connection options checked against the URL(s) (a {@link BrokerConfigurationError} becomes an option error). */
function checkBrokerConnection(brokerUrl: BrokerUrls, brokerConnection: BrokerConnectionOptions | undefined) {
  try {
    return resolveBrokerConnection(brokerUrlList(brokerUrl), brokerConnection);
  } catch (error) {
    if (error instanceof BrokerConfigurationError) throw new InvalidCeleryOptionError(`ServerCelery option 'brokerConnection': ${error.message}`);
    throw error;
  }
}

/** Checks the options and fills in defaults. */
export function resolveServerOptions(options: ServerCeleryOptions, defaultBrokerUrl: string) {
  if (options.service !== undefined && (typeof options.service !== 'string' || !/^[A-Za-z0-9_-]+$/.test(options.service))) {
    throw new InvalidCeleryOptionError(
      `ServerCelery option 'service' must be a non-empty string of [A-Za-z0-9_-], got ${JSON.stringify(options.service)}`,
    );
  }
  const routing = resolveServiceRouting(options, (message) => new InvalidCeleryOptionError(message));
  if (typeof options.concurrency !== 'object') positiveInteger(options.concurrency, 'concurrency');
  positiveInteger(options.prefetchCount, 'prefetchCount');
  positiveInteger(options.shutdownTimeoutMs, 'shutdownTimeoutMs');
  if (options.queues !== undefined && (!Array.isArray(options.queues) || options.queues.length === 0)) {
    throw new InvalidCeleryOptionError("ServerCelery option 'queues' must be a non-empty array of queue names");
  }
  const queues: WorkerQueue[] = (options.queues ?? (routing.conventionQueues.length > 0 ? [] : ['celery'])).map((q) =>
    typeof q === 'string' ? { name: q } : q,
  );
  for (const queue of queues) {
    if (!queue || typeof queue.name !== 'string' || queue.name === '') {
      throw new InvalidCeleryOptionError("ServerCelery option 'queues' has an entry without a name");
    }
    positiveInteger(queue.concurrency, `queues[${queue.name}].concurrency`);
  }
  let backend: ResultBackendChoice;
  try {
    backend = parseResultBackend(options.resultBackend);
  } catch (error) {
    throw new InvalidCeleryOptionError(`ServerCelery option 'resultBackend': ${(error as Error).message}`);
  }
  const expiresProblem = resultExpiresProblem(options.resultExpiresMs);
  if (expiresProblem) throw new InvalidCeleryOptionError(`ServerCelery option 'resultExpiresMs': ${expiresProblem}`);
  booleanOption(options.resultExtended, 'resultExtended');
  if (options.deadLetter !== undefined && (typeof options.deadLetter.exchange !== 'string' || !options.deadLetter.exchange)) {
    throw new InvalidCeleryOptionError("ServerCelery option 'deadLetter.exchange' must be a non-empty string");
  }
  booleanOption(options.remoteControl, 'remoteControl');
  booleanOption(options.nativeDelayedDelivery, 'nativeDelayedDelivery');
  queueTypeOption(options.queueType, 'queueType');
  for (const queue of queues) queueTypeOption(queue.queueType, `queues[${queue.name}].queueType`);
  if (options.deliveryLimit !== undefined && options.deliveryLimit !== false) positiveInteger(options.deliveryLimit, 'deliveryLimit');
  booleanOption(options.workerEvents, 'workerEvents');
  booleanOption(options.taskEvents, 'taskEvents');
  if (options.wireHeaders !== undefined && !isWireHeaders(options.wireHeaders)) {
    throw new InvalidCeleryOptionError(`ServerCelery option 'wireHeaders' must be ${WIRE_HEADERS_CHOICES}, got ${JSON.stringify(options.wireHeaders)}`);
  }
  const { etaHoldLimitMs } = options;
  if (
    etaHoldLimitMs !== undefined &&
    etaHoldLimitMs !== false &&
    (typeof etaHoldLimitMs !== 'number' || !Number.isInteger(etaHoldLimitMs) || etaHoldLimitMs < 1000 || etaHoldLimitMs > 2_147_483_647)
  ) {
    throw new InvalidCeleryOptionError(
      `ServerCelery option 'etaHoldLimitMs' must be false or an integer from 1000 to 2147483647 (ms), got ${String(etaHoldLimitMs)}`,
    );
  }
  validateBroker(options);
  const brokerUrl = options.brokerUrl ?? defaultBrokerUrl;
  const connection = checkBrokerConnection(brokerUrl, options.brokerConnection);
  const concurrency = typeof options.concurrency === 'number' ? options.concurrency : 16;
  return {
    service: options.service,
    ...routing,
    brokerUrl,
    brokerConnection: options.brokerConnection,
    heartbeatSeconds: connection.heartbeatSeconds,
    failoverStrategy: connection.failoverStrategy,
    broker: options.broker,
    queues,
    concurrency,
    prefetchCount: options.prefetchCount ?? concurrency * 4,
    acksLate: options.acksLate ?? true,
    /** `rpc`, `redis` or `disabled`; the Redis URL is `resultBackendUrl`. */
    resultBackend: backend.kind,
    resultBackendUrl: backend.kind === 'redis' ? backend.url : undefined,
    resultExpiresMs: options.resultExpiresMs,
    resultExtended: options.resultExtended ?? false,
    resultBackendTls: options.resultBackendTls,
    trackStarted: options.trackStarted ?? false,
    defaultQueue: options.defaultQueue ?? 'celery',
    deadLetter: options.deadLetter
      ? { exchange: options.deadLetter.exchange, queue: options.deadLetter.queue ?? `${options.deadLetter.exchange}.queue` }
      : options.service
        ? { exchange: `${options.service}.dead-letter`, queue: `${options.service}.dead-letter` }
        : undefined,
    shutdownTimeoutMs: options.shutdownTimeoutMs ?? 30_000,
    remoteControl: options.remoteControl ?? true,
    workerEvents: options.workerEvents ?? true,
    taskEvents: options.taskEvents ?? false,
    wireHeaders: options.wireHeaders ?? 'compact',
    etaHoldLimitMs: etaHoldLimitMs ?? DEFAULT_ETA_HOLD_LIMIT_MS,
    queueType: options.queueType ?? 'classic',
    deliveryLimit: options.deliveryLimit ?? 20,
    nativeDelayedDelivery: options.nativeDelayedDelivery ?? (options.queueType === 'quorum' || queues.some((queue) => queue.queueType === 'quorum')),
  };
}

/** `ServerCelery` options after validation, with defaults applied. */
export type ResolvedServerOptions = ReturnType<typeof resolveServerOptions>;

/**
 * Settings of a resolved worker under Celery's names, for `inspect conf` (besides the ones
 * remote control knows itself: broker URL, concurrency, prefetch, acks, events).
 */
export function celerySettings(options: ResolvedServerOptions): Record<string, unknown> {
  return {
    result_backend: options.resultBackend === 'rpc' ? 'rpc://' : options.resultBackend === 'redis' ? redactUrl(options.resultBackendUrl!) : null,
    task_default_queue: options.defaultQueue,
    task_track_started: options.trackStarted,
    worker_enable_remote_control: options.remoteControl,
    // Celery's `inspect conf` lists changed settings only: these two appear when set
    ...(options.resultExtended ? { result_extended: true } : {}),
    ...(options.queueType === 'quorum' ? { task_default_queue_type: 'quorum' } : {}),
  };
}
