import type { AsyncResult } from './async-result.js';
import type { SendTaskOptions } from '../producer/send-task.options.js';
import { CeleryControlCallError } from '../control/control.errors.js';
import type { TaskCatalog } from '../control/client/task-catalog.js';

/** Symbol key of a discovered tree's catalog: `api[TASK_CATALOG].tasks`. */
export const TASK_CATALOG: unique symbol = Symbol('nestjs-celery.taskCatalog');

/** Symbol key of a node's full call, with kwargs and send options: `api.billing.sync.get_invoice[TASK_APPLY]([42], {}, {})`. */
export const TASK_APPLY: unique symbol = Symbol('nestjs-celery.taskApply');

/** Symbol key of a node's task name (its dotted path). */
export const TASK_NAME: unique symbol = Symbol('nestjs-celery.taskName');

/** Sends a task by name with a route; `CeleryClient.sendTask` fits. */
export type TaskSender = (name: string, args: unknown[], kwargs: Record<string, unknown>, options: SendTaskOptions) => Promise<AsyncResult>;

/**
 * A node of a discovered task tree: call it to send the task of its dotted path (resolves with
 * the {@link AsyncResult} once the broker confirmed the message; it does not wait for the
 * result: `await (await api.billing.sync.get_invoice(42)).get()`). Children are properties.
 * A segment that shadows a `Function` member in TypeScript (`name`, `length`, `call`, `apply`,
 * `bind`) is still the child at run time, but is typed as the member: cast it to `TaskTreeNode`.
 */
export interface TaskTreeNode {
  (...args: unknown[]): Promise<AsyncResult>;
  readonly [segment: string]: TaskTreeNode;
  /** Sends with kwargs and options (route options are filled in from discovery). */
  readonly [TASK_APPLY]: (args?: unknown[], kwargs?: Record<string, unknown>, options?: SendTaskOptions) => Promise<AsyncResult>;
  readonly [TASK_NAME]: string;
}

/** The root of a discovered tree: first name segments as properties, and the catalog. */
export interface TaskTree {
  readonly [segment: string]: TaskTreeNode;
  readonly [TASK_CATALOG]: TaskCatalog;
}

function hidden(target: object, key: PropertyKey, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: false, configurable: false, writable: false });
}

/**
 * Builds the proxy tree from a catalog, splitting task names on dots. Every node is callable:
 * a node whose path is a task sends it to the route discovery found (a queue where a worker
 * that registered it listens); any other node rejects with {@link CeleryControlCallError}.
 */
export function buildTaskTree(catalog: TaskCatalog, send: TaskSender): TaskTree {
  const root = Object.create(null) as Record<PropertyKey, unknown>;
  const nodes = new Map<string, Record<PropertyKey, unknown>>();
  const node = (path: string): Record<PropertyKey, unknown> => {
    let existing = nodes.get(path);
    if (existing) return existing;
    const apply = (args: unknown[] = [], kwargs: Record<string, unknown> = {}, options: SendTaskOptions = {}) => {
      const entry = catalog.tasks[path];
      if (!entry) {
        return Promise.reject(
          new CeleryControlCallError(`no live worker registered task '${path}'; discovered: ${Object.keys(catalog.tasks).join(', ') || 'none'}`),
        );
      }
      const { exchange, routingKey, queue } = entry.route;
      // Through the default exchange the routing key is the queue: nothing to declare.
      const route: SendTaskOptions = exchange === '' ? { exchange, routingKey } : { exchange, routingKey, queue };
      return send(path, args, kwargs, { ...route, ...options });
    };
    const call = (...args: unknown[]) => apply(args);
    hidden(call, TASK_APPLY, apply);
    hidden(call, TASK_NAME, path);
    existing = call as unknown as Record<PropertyKey, unknown>;
    nodes.set(path, existing);
    return existing;
  };
  for (const name of Object.keys(catalog.tasks).sort()) {
    const segments = name.split('.');
    let parent = root;
    for (let i = 0; i < segments.length; i++) {
      const path = segments.slice(0, i + 1).join('.');
      const child = node(path);
      // A function's own `name`/`length` give way to a child of that name.
      const current = Object.getOwnPropertyDescriptor(parent, segments[i]!);
      if (current?.value !== child) {
        Object.defineProperty(parent, segments[i]!, { value: child, enumerable: true, configurable: false, writable: false });
      }
      parent = child;
    }
  }
  hidden(root, TASK_CATALOG, catalog);
  return root as unknown as TaskTree;
}
