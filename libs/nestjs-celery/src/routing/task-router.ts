import { mergeRoute, RouterChain } from './router-chain.js';
import { InvalidTaskRoutesError } from './routing.errors.js';
import { serviceConvention, serviceConventionRouter } from './service-convention.js';
import { taskQueueTopology, type TaskQueue } from './task-queue.js';
import { resolveTaskRoute, type ResolvedRoute, type TaskRoute } from './task-route.js';
import type { TaskRoutes } from './task-routes.js';

/** Options of a {@link TaskRouter}. */
export interface TaskRouterOptions {
  /** Celery's `task_routes`: asked first, in order. */
  routes?: TaskRoutes;
  /** Services whose convention applies (`billing` → `billing.sync.*` / `billing.async.*`), asked after `routes`. */
  services?: readonly string[];
  /** Further known queues (Celery's `task_queues`), besides the services' convention queues. */
  queues?: readonly TaskQueue[];
}

/**
 * Task name → where the message goes, like Celery's `app.amqp.router` plus `send_task_message`:
 * the routers pick a route (the caller's explicit options win), then a queue known by name
 * (convention or `queues`) resolves to its exchange and binding key, any other queue to Celery's
 * `queue=` topology. Pure: no I/O.
 */
export class TaskRouter {
  private readonly chain: RouterChain;
  private readonly queues = new Map<string, { queue: TaskQueue; declare: ResolvedRoute['declare'] }>();

  /** @throws InvalidTaskRoutesError for malformed routes or service names */
  constructor(options: TaskRouterOptions = {}) {
    if (options.services !== undefined && !Array.isArray(options.services)) {
      throw new InvalidTaskRoutesError(`option 'services' must be an array of service names, got ${JSON.stringify(options.services)}`);
    }
    const conventions = (options.services ?? []).map(serviceConvention);
    for (const queue of [...conventions.flatMap((c) => [c.sync, c.async]), ...(options.queues ?? [])]) {
      this.queues.set(queue.name, { queue, declare: taskQueueTopology(queue) });
    }
    this.chain = new RouterChain(options.routes, conventions.length > 0 ? [serviceConventionRouter(conventions)] : []);
  }

  /**
   * Applies the first matching route to the caller's options (set options win, as in Celery).
   * Returns `options` itself when no router matches.
   */
  route<O extends object>(name: string, args: readonly unknown[], kwargs: Readonly<Record<string, unknown>>, options: O): O {
    if (this.chain.empty) return options;
    const route = this.chain.lookup(name, args, kwargs, options as Readonly<Record<string, unknown>>);
    return route ? mergeRoute(route, options) : options;
  }

  /**
   * Exchange, routing key and topology for a routed message. A known queue without an explicit
   * exchange goes to the queue's exchange with the route's routing key (else the binding key),
   * declared as kombu declares it, and on the queue's lane.
   */
  resolve(route: TaskRoute, defaultQueue: string, taskName: string): ResolvedRoute {
    const name = route.queue ?? (route.exchange === undefined ? defaultQueue : undefined);
    const known = name === undefined || route.exchange !== undefined ? undefined : this.queues.get(name);
    if (!known) return resolveTaskRoute(route, defaultQueue, taskName);
    const { queue, declare } = known;
    const lane = route.lane ?? queue.lane;
    if (queue.exchangeType === 'direct') {
      // kombu: a direct queue without an explicit exchange goes through the default exchange
      return { exchange: '', routingKey: queue.name, queue: queue.name, declare, lane };
    }
    return { exchange: queue.exchange, routingKey: route.routingKey ?? queue.bindingKey, queue: queue.name, declare, lane };
  }
}
