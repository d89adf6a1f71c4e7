import { globToRegExp, isGlob } from './glob-pattern.js';
import type { RouteValue, RouterRoute, TaskRoutePairs, TaskRoutesMap } from './task-routes.js';

function toRoute(value: RouteValue): RouterRoute {
  return typeof value === 'string' ? { queue: value } : value;
}

/** A regular expression that only matches at the start of the string, like Python's `re.match`. */
function anchoredAtStart(pattern: RegExp): RegExp {
  return new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, '') + 'y');
}

/**
 * Celery's `MapRoute`: a router built from a map of task names to routes. Exact names are looked
 * up first; then globs (keys with `*`, Python fnmatch semantics) and regular expressions are tried
 * in their order. Pure; the returned route must not be modified.
 */
export class MapRoute {
  private readonly exact = new Map<string, RouterRoute>();
  private readonly patterns: Array<{ pattern: RegExp; route: RouterRoute }> = [];

  constructor(map: TaskRoutesMap | ReadonlyMap<string | RegExp, RouteValue> | TaskRoutePairs) {
    const entries: Iterable<readonly [string | RegExp, RouteValue]> =
      map instanceof Map || Array.isArray(map) ? (map as Iterable<readonly [string | RegExp, RouteValue]>) : Object.entries(map);
    for (const [key, value] of entries) {
      const route = toRoute(value);
      if (key instanceof RegExp) this.patterns.push({ pattern: anchoredAtStart(key), route });
      else if (isGlob(key)) this.patterns.push({ pattern: globToRegExp(key), route });
      else this.exact.set(key, route); // a later entry for the same name wins, as in a Python dict
    }
  }

  /** The route for `name`, or undefined. */
  route(name: string): RouterRoute | undefined {
    const exact = this.exact.get(name);
    if (exact) return exact;
    for (const { pattern, route } of this.patterns) {
      pattern.lastIndex = 0;
      if (pattern.test(name)) return route;
    }
    return undefined;
  }
}
