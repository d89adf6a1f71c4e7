import type { ControlReply } from '../control-message.js';
import type { KombuQueueInfo } from '../queue-info.js';
import { isPrototypeKey, nullPrototypeRecord } from '../reply-map.js';

/** How to reach a queue a worker listens on, from its `active_queues` entry. */
export interface DiscoveredRoute {
  queue: string;
  /** Exchange to publish to; `''` is the default exchange (routing key = queue name). */
  exchange: string;
  routingKey: string;
}

/** One task of the live cluster. */
export interface CatalogTask {
  /** Queues where a worker that registered the task listens, sorted. */
  queues: string[];
  /** Nodes that registered the task, sorted. */
  workers: string[];
  /** Where calls go: the first of {@link queues}. */
  route: DiscoveredRoute;
}

/** One worker of the live cluster. */
export interface CatalogWorker {
  tasks: string[];
  queues: string[];
}

/** What the live cluster offers: tasks by name, and the workers that answered. */
export interface TaskCatalog {
  tasks: Record<string, CatalogTask>;
  workers: Record<string, CatalogWorker>;
}

function isQueueInfo(value: unknown): value is KombuQueueInfo {
  return typeof value === 'object' && value !== null && typeof (value as KombuQueueInfo).name === 'string';
}

/**
 * The route for a queue: its exchange and binding key, like Celery's own routing; a topic
 * binding with wildcards is published with the task name as routing key (it matches
 * `billing.sync.#` for `billing.sync.get_invoice`); exchanges of other types, or a missing
 * exchange, go through the default exchange straight to the queue.
 */
export function routeForQueue(queue: KombuQueueInfo, taskName: string): DiscoveredRoute {
  const exchange = queue.exchange;
  const key = queue.routing_key ?? '';
  if (exchange && exchange.name) {
    if (exchange.type === 'direct' && key !== '') return { queue: queue.name, exchange: exchange.name, routingKey: key };
    if (exchange.type === 'topic') {
      return { queue: queue.name, exchange: exchange.name, routingKey: /[*#]/.test(key) || key === '' ? taskName : key };
    }
    if (exchange.type === 'fanout') return { queue: queue.name, exchange: exchange.name, routingKey: '' };
  }
  return { queue: queue.name, exchange: '', routingKey: queue.name };
}

/**
 * Builds the catalog from `inspect registered` and `inspect active_queues` replies (Python and
 * Nest workers alike). Error replies and workers that answered only one of the two are left out.
 * Entries like `"name [rate_limit=10/s]"` (Celery's `taskinfoitems`) are reduced to the name.
 */
export function buildTaskCatalog(registered: ControlReply, activeQueues: ControlReply): TaskCatalog {
  // Node and task names come from remote replies: prototype-less maps, prototype keys skipped.
  const tasks = nullPrototypeRecord<CatalogTask>();
  const workers = nullPrototypeRecord<CatalogWorker>();
  const queueInfo = new Map<string, KombuQueueInfo>();
  for (const node of Object.keys(registered).sort()) {
    const names = registered[node];
    const queues = activeQueues[node];
    if (isPrototypeKey(node) || !Array.isArray(names) || !Array.isArray(queues)) continue;
    const taskNames = [
      ...new Set(
        names
          .filter((n): n is string => typeof n === 'string')
          .map((n) => n.split(' [')[0]!)
          .filter((n) => !isPrototypeKey(n)),
      ),
    ].sort();
    const infos = queues.filter(isQueueInfo);
    for (const info of infos) if (!queueInfo.has(info.name)) queueInfo.set(info.name, info);
    workers[node] = { tasks: taskNames, queues: infos.map((q) => q.name).sort() };
  }
  for (const [node, worker] of Object.entries(workers)) {
    for (const name of worker.tasks) {
      const entry = (tasks[name] ??= { queues: [], workers: [], route: { queue: '', exchange: '', routingKey: '' } });
      entry.workers.push(node);
      for (const queue of worker.queues) if (!entry.queues.includes(queue)) entry.queues.push(queue);
    }
  }
  for (const [name, entry] of Object.entries(tasks)) {
    entry.queues.sort();
    entry.workers.sort();
    const first = entry.queues[0];
    if (first === undefined) {
      delete tasks[name];
      continue;
    }
    entry.route = routeForQueue(queueInfo.get(first)!, name);
  }
  return { tasks, workers };
}
