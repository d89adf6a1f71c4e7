import { MapRoute } from './map-route.js';
import { InvalidTaskRoutesError } from './routing.errors.js';
import type { RouterRoute, TaskRouterFunction, TaskRouterSpec, TaskRoutes } from './task-routes.js';

type PreparedRouter = (
  name: string,
  args: readonly unknown[],
  kwargs: Readonly<Record<string, unknown>>,
  options: Readonly<Record<string, unknown>>,
) => RouterRoute | undefined;

function isRouterList(routes: TaskRoutes): routes is readonly TaskRouterSpec[] {
  // A list of routers, unless it is itself a list of [pattern, route] pairs (one map router).
  return Array.isArray(routes) && !(routes.length > 0 && routes.every((entry) => Array.isArray(entry) && entry.length === 2 && !Array.isArray(entry[0])));
}

function checkRoute(value: unknown, where: string): RouterRoute | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return { queue: value };
  if (typeof value === 'object' && !Array.isArray(value)) return value as RouterRoute;
  throw new InvalidTaskRoutesError(`${where} returned ${JSON.stringify(value)}; return a route object, a queue name or undefined`);
}

function checkRouteValue(value: unknown, key: string): void {
  if (typeof value === 'string' ? value === '' : typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidTaskRoutesError(`taskRoutes entry '${key}' must be a queue name or a route object, got ${JSON.stringify(value)}`);
  }
}

function prepare(spec: TaskRouterSpec, index: number): PreparedRouter {
  if (typeof spec === 'function') {
    const fn = spec as TaskRouterFunction;
    const label = `taskRoutes[${index}] (${fn.name || 'router function'})`;
    return (name, args, kwargs, options) => checkRoute(fn(name, args, kwargs, options), label);
  }
  if (typeof spec !== 'object' || spec === null) {
    throw new InvalidTaskRoutesError(`taskRoutes[${index}] must be a map, a list of [pattern, route] pairs or a function, got ${String(spec)}`);
  }
  const entries = spec instanceof Map ? [...spec.entries()] : Array.isArray(spec) ? spec : Object.entries(spec);
  for (const entry of entries as Array<readonly [unknown, unknown]>) {
    if (!Array.isArray(entry) || entry.length !== 2 || !(typeof entry[0] === 'string' || entry[0] instanceof RegExp)) {
      throw new InvalidTaskRoutesError(`taskRoutes[${index}] has an entry that is not a [name | glob | RegExp, route] pair: ${String(entry)}`);
    }
    checkRouteValue(entry[1], String(entry[0]));
  }
  const map = new MapRoute(spec as ConstructorParameters<typeof MapRoute>[0]);
  return (name) => map.route(name);
}

/**
 * Celery's `Router.lookup_route`: a list of routers asked in order; the first that returns a route
 * wins. Pure: the routers are prepared (globs compiled, entries validated) once, up front.
 */
export class RouterChain {
  private readonly routers: PreparedRouter[];

  /** @throws InvalidTaskRoutesError for a malformed router, naming it */
  constructor(routes: TaskRoutes | undefined, extra: readonly TaskRouterFunction[] = []) {
    const list: readonly TaskRouterSpec[] = routes === undefined ? [] : isRouterList(routes) ? routes : [routes as TaskRouterSpec];
    this.routers = [...list, ...extra].map((spec, index) => prepare(spec, index));
  }

  /** True when there is no router at all. */
  get empty(): boolean {
    return this.routers.length === 0;
  }

  /** The first route a router returns for this task, or undefined. */
  lookup(
    name: string,
    args: readonly unknown[],
    kwargs: Readonly<Record<string, unknown>>,
    options: Readonly<Record<string, unknown>>,
  ): RouterRoute | undefined {
    for (const router of this.routers) {
      const route = router(name, args, kwargs, options);
      if (route !== undefined) return route;
    }
    return undefined;
  }
}

/**
 * Merges a route under the caller's options, like Celery's `lpmerge(route, options)`: every option
 * the caller set (not `undefined`) wins; the route fills in the rest.
 */
export function mergeRoute<O extends object>(route: RouterRoute, options: O): O {
  const merged: Record<string, unknown> = { ...route };
  for (const key in options) {
    const value = (options as Record<string, unknown>)[key];
    if (value !== undefined) merged[key] = value;
  }
  return merged as O;
}
