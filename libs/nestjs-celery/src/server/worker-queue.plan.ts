import { celeryQueueTopology, withQueueType, type Topology } from '../broker/topology.js';
import type { BrokerLane } from '../routing/task-route.js';
import { taskQueueTopology } from '../routing/task-queue.js';
import type { ResolvedServerOptions } from './server-celery.options.js';

/** One queue a worker declares and consumes, on which broker, with which limits. */
export interface WorkerQueuePlan {
  name: string;
  topology: Topology;
  /** `async` queues are consumed on the async broker (the main one when none is configured). */
  lane: BrokerLane;
  /** Own handler limit, or undefined to share the worker's `concurrency`. */
  concurrency?: number;
  /** Prefetch of this queue's consumer. */
  prefetch: number;
}

/**
 * The queues a worker consumes: the explicit `queues` (Celery's `queue=` topology, shared limit
 * unless they set their own) and the service's convention queues (topic exchange, own limits).
 */
export function planWorkerQueues(options: ResolvedServerOptions): WorkerQueuePlan[] {
  const prefetchFor = (concurrency: number | undefined) =>
    options.explicitPrefetch ?? (concurrency === undefined ? options.prefetchCount : concurrency * 4);
  const convention = new Set(options.conventionQueues.map((queue) => queue.name));
  // A convention queue named in `queues` too is declared the convention's way (one declaration per name).
  const plans: WorkerQueuePlan[] = options.queues.filter((queue) => !convention.has(queue.name)).map((queue) => ({
    name: queue.name,
    topology: celeryQueueTopology(queue.name, { arguments: queue.arguments, queueType: queue.queueType ?? options.queueType }),
    lane: 'sync',
    concurrency: queue.concurrency,
    prefetch: prefetchFor(queue.concurrency),
  }));
  for (const queue of options.conventionQueues) {
    plans.push({
      name: queue.name,
      topology: withQueueType(taskQueueTopology(queue), options.queueType),
      lane: queue.lane ?? 'sync',
      concurrency: queue.concurrency,
      prefetch: prefetchFor(queue.concurrency),
    });
  }
  return plans;
}
