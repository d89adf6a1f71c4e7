import { celeryQueueTopology, type Topology } from '../broker/topology.js';

/** Where a task message goes. Give a `queue` (Celery's `queue=`), or an `exchange` and `routingKey`. */
export interface TaskRoute {
  /** Queue name: published to the default exchange with the queue name as routing key, queue declared like Celery. */
  queue?: string;
  /** Exchange to publish to (must exist). */
  exchange?: string;
  /** Routing key for {@link exchange}; defaults to the queue name or the task name. */
  routingKey?: string;
  /**
   * Which broker connection carries the message: `async` uses the `asyncBrokerUrl` connection
   * (the main one when none is configured); `sync` or unset, the main one. Results always travel
   * over the main connection.
   */
  lane?: BrokerLane;
}

/** The two broker paths of the service convention: `sync` (main broker) and `async`. */
export type BrokerLane = 'sync' | 'async';

/** A route resolved to the values a publish needs. */
export interface ResolvedRoute {
  exchange: string;
  routingKey: string;
  /** What to declare before the first publish (Celery declares the target queue). */
  declare?: Topology;
  /** The queue name, when the route names one. */
  queue?: string;
  /** The broker lane of the queue, when known. */
  lane?: BrokerLane;
}

/** How many `queue=X` routes {@link resolveTaskRoute} keeps resolved (queue names a process sends to). */
const QUEUE_ROUTE_CACHE_SIZE = 1024;
const queueRoutes = new Map<string, ResolvedRoute>();

/** The route of `queue=X`, resolved once per queue name: every send to it shares the value (read-only). */
function queueRoute(queue: string): ResolvedRoute {
  let route = queueRoutes.get(queue);
  if (route === undefined) {
    if (queueRoutes.size >= QUEUE_ROUTE_CACHE_SIZE) queueRoutes.delete(queueRoutes.keys().next().value!);
    route = { exchange: '', routingKey: queue, queue, declare: celeryQueueTopology(queue) };
    queueRoutes.set(queue, route);
  }
  return route;
}

/**
 * Resolves a route the way Celery's `send_task` does: `queue=X` publishes to the default exchange
 * with routing key `X` and declares queue/exchange/binding `X`; an explicit exchange publishes there;
 * otherwise the default queue is used. The result is shared between calls: do not change it.
 */
export function resolveTaskRoute(route: TaskRoute, defaultQueue: string, taskName: string): ResolvedRoute {
  if (route.exchange !== undefined && route.exchange !== '') {
    return {
      exchange: route.exchange,
      routingKey: route.routingKey ?? route.queue ?? taskName,
      queue: route.queue,
    };
  }
  if (route.exchange === '' && route.routingKey && !route.queue) {
    return { exchange: '', routingKey: route.routingKey, queue: route.routingKey };
  }
  return queueRoute(route.queue ?? defaultQueue);
}
