import { brokerUrlList, type BrokerUrls } from '../broker/broker-connection.options.js';
import { isRedisUrl } from '../broker/redis/redis-url.js';
import { describeUrlValue } from '../broker/broker-url.redaction.js';
import { isServiceName, serviceConvention } from '../routing/service-convention.js';
import type { TaskQueue } from '../routing/task-queue.js';
import { TaskRouter } from '../routing/task-router.js';
import type { TaskRoutes } from '../routing/task-routes.js';

/** Separate handler limits for the convention's sync and async queues. Each defaults to 16. */
export interface ServiceConcurrency {
  sync?: number;
  async?: number;
}

/** The routing-related `ServerCelery` options (a subset of `ServerCeleryOptions`). */
export interface ServiceRoutingInput {
  service?: string;
  serviceQueues?: boolean | { sync?: boolean; async?: boolean };
  concurrency?: number | ServiceConcurrency;
  prefetchCount?: number;
  asyncBrokerUrl?: BrokerUrls;
  taskRoutes?: TaskRoutes;
  services?: string[];
}

/** A convention queue the worker consumes, with its own handler limit. */
export interface ConventionQueue extends TaskQueue {
  concurrency: number;
}

/** Resolved routing options of a worker. */
export interface ServiceRouting {
  /** Convention queues to declare and consume (none without `service`). */
  conventionQueues: ConventionQueue[];
  /** The prefetch the user set explicitly, if any (otherwise each consumer derives it from its limit). */
  explicitPrefetch?: number;
  asyncBrokerUrl?: BrokerUrls;
  /** Router for follow-up tasks: `taskRoutes`, then the convention of `service` and `services`. */
  router?: TaskRouter;
}

function limit(value: unknown, option: string, fail: (message: string) => Error): number {
  if (value === undefined) return 16;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw fail(`ServerCelery option '${option}' must be a positive integer, got ${String(value)}`);
  }
  return value;
}

/** Checks the routing options (errors through `fail`, which names the option) and fills in defaults. */
export function resolveServiceRouting(options: ServiceRoutingInput, fail: (message: string) => Error): ServiceRouting {
  const { service, serviceQueues = true, concurrency } = options;
  if (typeof serviceQueues !== 'boolean' && (typeof serviceQueues !== 'object' || serviceQueues === null)) {
    throw fail(`ServerCelery option 'serviceQueues' must be a boolean or { sync?: boolean; async?: boolean }, got ${String(serviceQueues)}`);
  }
  const perLane = typeof concurrency === 'object' ? concurrency : undefined;
  if (concurrency === null || (perLane && !service)) {
    throw fail("ServerCelery option 'concurrency' as { sync, async } needs option 'service' (the convention queues it limits)");
  }
  const sync = limit(perLane?.sync, 'concurrency.sync', fail);
  const async = limit(perLane?.async, 'concurrency.async', fail);
  const wanted = typeof serviceQueues === 'boolean' ? { sync: serviceQueues, async: serviceQueues } : { sync: true, async: true, ...serviceQueues };
  const conventionQueues: ConventionQueue[] = [];
  if (service !== undefined && isServiceName(service)) {
    const convention = serviceConvention(service);
    const shared = typeof concurrency === 'number' ? concurrency : undefined;
    if (wanted.sync) conventionQueues.push({ ...convention.sync, concurrency: perLane ? sync : (shared ?? 16) });
    if (wanted.async) conventionQueues.push({ ...convention.async, concurrency: perLane ? async : (shared ?? 16) });
  }
  if (options.asyncBrokerUrl !== undefined) {
    const urls = typeof options.asyncBrokerUrl === 'string' || Array.isArray(options.asyncBrokerUrl) ? brokerUrlList(options.asyncBrokerUrl) : [];
    const bad = urls.length === 0 ? options.asyncBrokerUrl : urls.find((url) => typeof url !== 'string' || !(/^(amqps?|memory):\/\//.test(url) || isRedisUrl(url)));
    if (bad !== undefined) {
      throw fail(`ServerCelery option 'asyncBrokerUrl' must be an amqp://, amqps://, redis://, rediss:// or memory://<vhost> URL (or a list of amqp URLs), got ${describeUrlValue(bad)}`);
    }
  }
  if (options.services !== undefined && (!Array.isArray(options.services) || !options.services.every(isServiceName))) {
    throw fail(`ServerCelery option 'services' must be an array of service names ([A-Za-z0-9_-]), got ${JSON.stringify(options.services)}`);
  }
  const services = [...new Set([...(service !== undefined && conventionQueues.length > 0 ? [service] : []), ...(options.services ?? [])])];
  let router: TaskRouter | undefined;
  if (options.taskRoutes !== undefined || services.length > 0) {
    try {
      router = new TaskRouter({ routes: options.taskRoutes, services });
    } catch (error) {
      throw fail(`ServerCelery option 'taskRoutes': ${(error as Error).message}`);
    }
  }
  return { conventionQueues, explicitPrefetch: options.prefetchCount, asyncBrokerUrl: options.asyncBrokerUrl, router };
}
