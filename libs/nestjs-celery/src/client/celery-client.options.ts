import type { LoggerService } from '@nestjs/common';
import type { BrokerConnectionOptions, BrokerUrls } from '../broker/broker-connection.options.js';
import type { Broker } from '../broker/broker.js';
import type { QueueType } from '../broker/topology.js';
import type { WireHeaders } from '../protocol/task-message.js';
import type { ResultBackendOptions } from '../results/result-backend.options.js';
import type { TaskRoutes } from '../routing/task-routes.js';
import type { CeleryObserver } from '../runtime/celery-observer.js';

/** The broker URL used when none is configured: `CELERY_BROKER_URL`, else the local RabbitMQ. */
export function defaultBrokerUrl(): string {
  return process.env.CELERY_BROKER_URL || 'amqp://guest:guest@127.0.0.1:5672//';
}

/**
 * Options of a {@link CeleryClient}. Results: `resultBackend` (`'rpc://'` default, `'redis://host:port/db'`,
 * `'rediss://…'` with `resultBackendTls`, `'disabled'`), `resultExpiresMs`, `resultExtended` (see `ResultBackendOptions`).
 */
export interface CeleryClientOptions extends ResultBackendOptions {
  /**
   * RabbitMQ URL (`amqp://` or `amqps://`), a cluster's URLs (`'amqp://a//;amqp://b//'` as kombu
   * writes them, or an array), a Redis URL (`redis://`, `rediss://`: kombu's Redis transport, see
   * docs/redis-broker.md), or `memory://<vhost>` for the in-process broker. Default:
   * `CELERY_BROKER_URL`, else `amqp://guest:guest@127.0.0.1:5672//`.
   */
  brokerUrl?: BrokerUrls;
  /**
   * TLS, heartbeat, timeouts, frame and channel limits, vhost, client properties, failover
   * strategy and reconnect backoff of the broker connection(s) this client opens (the async lane's
   * too). See `BrokerConnectionOptions`; every field has a default.
   */
  brokerConnection?: BrokerConnectionOptions;
  /**
   * Share an existing broker connection instead of opening one (the client then does not close it):
   * an `AmqpBroker`, or a `MemoryBroker` for tests and embedded runs.
   */
  broker?: Broker;
  /** Queue for tasks sent without a route. Default `celery` (Celery's `task_default_queue`). */
  defaultQueue?: string;
  /** Name of the reply queue. Default: a new uuid per client. */
  replyQueue?: string;
  /** Origin header of sent tasks (written with `wireHeaders: 'full'`). Default `gen<pid>@<hostname>`. */
  origin?: string;
  /**
   * Header table of sent tasks and events. `'compact'` (default): `task`, `id` and only headers
   * that differ from a Celery worker's defaults, which costs RabbitMQ about a third less CPU per
   * message; Celery 5.2+ workers run such messages unchanged. `'full'`: Celery 5.2's 16 headers
   * exactly as Python writes them (`lang`, `argsrepr`, `kwargsrepr`, `origin`, and `root_id` on
   * root tasks), for tools that read those. `'body'`: the fields in a dict body (protocol v1's
   * layout, which Celery 5 workers run through `hybrid_to_proto2`): RabbitMQ spends ~20% less CPU
   * on a fire-and-forget task (its properties fit in 64 bytes), but nothing can route on or read a
   * `task` header; tasks with a chain are still sent as `'compact'`. See `WireHeaders`.
   */
  wireHeaders?: WireHeaders;
  /**
   * Write task arguments with kombu ≥ 5.3's JSON type markers, for workers on Celery 5.3+ (5.5):
   * a `Date` arrives as a Python `datetime`, a `Buffer` as `bytes`, a `PythonValue` as its
   * `Decimal`, `UUID`, `date` or `time`. Default false: kombu 5.2's JSON (a `Date` as its ISO
   * string), which every Celery 5 worker reads; a Celery 5.2 worker would get markers as dicts.
   * Use a client per peer version when workers of both versions are called.
   */
  jsonTypeMarkers?: boolean;
  /**
   * Type of the task queues this client declares before its first send to them (`queue=` routes,
   * convention queues): `quorum` as Celery 5.5 declares them (`x-queue-type: quorum`). Must match
   * the workers' `queueType`. Default `classic`.
   */
  queueType?: QueueType;
  /**
   * Send countdown / ETA tasks of a whole second or more for topic and fanout routes (the service
   * convention) through Celery 5.5's `celery_delayed_*` exchanges, as a Celery 5.5 client does
   * with quorum queues, so they wait in RabbitMQ rather than unacknowledged on a worker. The
   * workers must bind their queues to it (Celery 5.5 workers and `ServerCelery` with
   * `queueType: 'quorum'` do). Default: true with `queueType: 'quorum'`.
   */
  nativeDelayedDelivery?: boolean;
  /** Connection name shown in RabbitMQ. Default `nestjs-celery-client`. */
  connectionName?: string;
  /**
   * Celery's `task_routes`: exact names, globs (`billing.*`), RegExps and router functions, asked
   * in order, first match wins; options given to `sendTask` still win. See `TaskRoutes`.
   */
  taskRoutes?: TaskRoutes;
  /**
   * Services whose routing convention this client knows: `billing` sends `billing.sync.*` to
   * exchange `billing` / queue `billing.sync` (transient, results) and `billing.async.*` to queue
   * `billing.async` (persistent, no result). Asked after `taskRoutes`.
   */
  services?: string[];
  /** Broker URL(s) of the `async` lane (`<service>.async` queues). Default: the main broker. */
  asyncBrokerUrl?: BrokerUrls;
  /** Share an existing connection for the `async` lane instead of opening one from `asyncBrokerUrl`. */
  asyncBroker?: Broker;
  /**
   * Told of each publish the broker confirmed (and of events published through the module's
   * `EventPublisher`); `nestjs-celery/metrics` provides one. Default none.
   */
  observer?: CeleryObserver;
  logger?: LoggerService;
}
