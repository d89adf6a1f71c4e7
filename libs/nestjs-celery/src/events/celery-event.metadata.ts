import { eventVersion } from './event-version.js';
import { EventNotDecoratedError } from './event.errors.js';

/** Metadata key under which `@CeleryEvent` records an event contract's {@link CeleryEventOptions}. */
export const CELERY_EVENT_METADATA = 'nestjs-celery:event';

/** What `@CeleryEvent` says about an event contract. */
export interface CeleryEventOptions {
  /** Topic exchange of the producing service, e.g. `order`. */
  exchange: string;
  /** Routing key and Celery task name, with its version word, e.g. `order.v1.submit`. */
  routingKey: string;
}

/** An event contract class (decorated with `@CeleryEvent`). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type EventClass<T extends object = object> = new (...args: any[]) => T;

/** An event contract's metadata, with the version read from its routing key. */
export interface EventDescriptor extends CeleryEventOptions {
  /** Version from the routing key's `v<N>` word, or null when it has none. */
  version: number | null;
}

/** Checks `@CeleryEvent` options; throws a `TypeError` naming the bad one. */
export function checkEventOptions(options: CeleryEventOptions, where: string): EventDescriptor {
  if (!options || typeof options.exchange !== 'string' || !/^[A-Za-z0-9_.-]+$/.test(options.exchange)) {
    throw new TypeError(`${where}: 'exchange' must be a non-empty name of [A-Za-z0-9_.-], got ${JSON.stringify(options?.exchange)}`);
  }
  const key = options.routingKey;
  if (typeof key !== 'string' || key === '' || key.split('.').some((word) => word === '' || word === '*' || word === '#')) {
    throw new TypeError(`${where}: 'routingKey' must be a dotted key without wildcards (e.g. 'order.v1.submit'), got ${JSON.stringify(key)}`);
  }
  return { exchange: options.exchange, routingKey: key, version: eventVersion(key) };
}

/** The metadata `@CeleryEvent` recorded on `type`; throws {@link EventNotDecoratedError} when there is none. */
export function eventDescriptorOf(type: unknown): EventDescriptor {
  const descriptor =
    typeof type === 'function' ? (Reflect.getMetadata(CELERY_EVENT_METADATA, type) as EventDescriptor | undefined) : undefined;
  if (!descriptor) {
    throw new EventNotDecoratedError(
      `${(typeof type === 'function' && type.name) || String(type)} is not an event contract: decorate it with @CeleryEvent({ exchange, routingKey })`,
    );
  }
  return descriptor;
}

/** True when `pattern` is a valid topic pattern (words of `[A-Za-z0-9_-]`, `*` or `#`). */
export function isTopicPattern(pattern: unknown): pattern is string {
  if (typeof pattern !== 'string' || pattern === '') return false;
  return pattern.split('.').every((word) => word === '*' || word === '#' || /^[A-Za-z0-9_-]+$/.test(word));
}
