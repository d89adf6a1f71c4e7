import { checkEventOptions, eventDescriptorOf, isTopicPattern, type EventClass } from './celery-event.metadata.js';

/** Key of the `@OnEvent` handler extras that hold its {@link EventSubscription}. */
export const CELERY_EVENT_SUBSCRIPTION = 'nestjs-celery:event-subscription';

/** Options of `@OnEvent`. */
export interface OnEventOptions {
  /** Source topic exchange. Required for pattern subscriptions; taken from the contract(s) otherwise. */
  exchange?: string;
  /**
   * Pattern subscriptions only: versions this handler accepts (the routing key's `v<N>` word). An event matching the pattern
   * in another version is not handed to it; when no handler accepts it, it is dead-lettered.
   * Default: every version its pattern or contracts match.
   */
  versions?: number[];
  /**
   * Give every worker instance its own exclusive, auto-deleted queue, so each replica receives
   * every event (e.g. cache invalidation). Default false: replicas of a service share one durable
   * queue and compete for events.
   */
  broadcast?: boolean;
}

/** What one `@OnEvent` handler subscribes to, as recorded in its handler extras. */
export interface EventSubscription {
  /** `Class.method`, named in logs and dead-letter headers. */
  handler: string;
  exchange: string;
  /** Binding keys (topic patterns). */
  patterns: string[];
  /** Contracts to validate into, by routing key; empty for raw pattern subscriptions. */
  events: Array<{ routingKey: string; type: EventClass }>;
  /** Accepted versions, or null for any. */
  versions: number[] | null;
  broadcast: boolean;
}

/** What `@OnEvent` accepts: a contract, several versions of one, or a topic pattern. */
export type EventSubscriptionTarget = EventClass | EventClass[] | string;

/** Builds and checks the subscription of one handler; throws a `TypeError` that says what to fix. */
export function createEventSubscription(
  target: EventSubscriptionTarget,
  options: OnEventOptions,
  handler: string,
): EventSubscription {
  const where = `@OnEvent on ${handler}`;
  if (options.versions !== undefined && (!Array.isArray(options.versions) || !options.versions.every((v) => Number.isInteger(v) && v >= 0))) {
    throw new TypeError(`${where}: 'versions' must be an array of non-negative integers`);
  }
  const common = { handler, versions: options.versions ? [...options.versions] : null, broadcast: options.broadcast === true };
  if (typeof target === 'string') {
    if (!isTopicPattern(target)) {
      throw new TypeError(`${where}: ${JSON.stringify(target)} is not a topic pattern (dotted words, '*' or '#')`);
    }
    const exchange = options.exchange;
    checkEventOptions({ exchange: exchange!, routingKey: 'x' }, `${where} (pattern '${target}')`);
    return { ...common, exchange: exchange!, patterns: [target], events: [] };
  }
  if (options.versions !== undefined) {
    throw new TypeError(`${where}: 'versions' is for pattern subscriptions; list the event classes of the versions instead`);
  }
  const types = Array.isArray(target) ? target : [target];
  if (types.length === 0) throw new TypeError(`${where}: give at least one event class`);
  const events = types.map((type) => ({ routingKey: eventDescriptorOf(type).routingKey, type }));
  const exchanges = new Set(types.map((type) => eventDescriptorOf(type).exchange));
  if (exchanges.size > 1 || (options.exchange !== undefined && !exchanges.has(options.exchange))) {
    throw new TypeError(`${where}: all its events must come from one exchange (got ${[...exchanges, options.exchange ?? ''].filter(Boolean).join(', ')})`);
  }
  return { ...common, exchange: [...exchanges][0]!, patterns: [...new Set(events.map((e) => e.routingKey))], events };
}
