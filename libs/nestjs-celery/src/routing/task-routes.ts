import type { TaskRoute } from './task-route.js';

/**
 * What a router returns for a task, like a Celery route dict (`{'queue': ..., 'routing_key': ...}`).
 * Fields the caller gives explicitly win over the route's (Celery merges the same way).
 */
export interface RouterRoute extends TaskRoute {
  /** 1 = transient, 2 = persistent. */
  deliveryMode?: 1 | 2;
  /** Message priority. */
  priority?: number;
  /** Nest only: skip the SUCCESS reply (Python routes cannot set this; set `ignore_result` on the task). */
  ignoreResult?: boolean;
  /** Nest only: `null` sends no `reply_to` (fire-and-forget, no result traffic at all). */
  replyTo?: string | null;
}

/** A route, or a queue name (shorthand for `{ queue: name }`, as in Celery). */
export type RouteValue = RouterRoute | string;

/**
 * A router function, like Celery's `(name, args, kwargs, options, task=None, **kw)`: returns the
 * route for a task, or `undefined`/`null` to let the next router decide.
 */
export type TaskRouterFunction = (
  name: string,
  args: readonly unknown[],
  kwargs: Readonly<Record<string, unknown>>,
  options: Readonly<Record<string, unknown>>,
) => RouteValue | null | undefined;

/** Exact task names and globs (keys containing `*`) mapped to routes, as in Celery's `task_routes` dict. */
export type TaskRoutesMap = Readonly<Record<string, RouteValue>>;

/** Pattern/route pairs: exact names, globs (with `*`) or regular expressions, checked in order after exact names. */
export type TaskRoutePairs = ReadonlyArray<readonly [string | RegExp, RouteValue]>;

/** One router: a map (exact names and globs), a `Map` or pair list (also regular expressions), or a function. */
export type TaskRouterSpec = TaskRoutesMap | ReadonlyMap<string | RegExp, RouteValue> | TaskRoutePairs | TaskRouterFunction;

/**
 * Celery's `task_routes`: one router or a list of routers, asked in order; the first that returns
 * a route wins. In a map, exact names are looked up first, then the patterns in order. A
 * `RegExp` must match at the start of the name (like Python's `re.match`); add `$` to anchor
 * the end.
 */
export type TaskRoutes = TaskRouterSpec | readonly TaskRouterSpec[];
