import { InvalidTaskRoutesError } from './routing.errors.js';
import type { TaskQueue } from './task-queue.js';
import type { RouterRoute, TaskRouterFunction } from './task-routes.js';

const SERVICE_NAME = /^[A-Za-z0-9_-]+$/;

/** True for a valid service name: a non-empty string of `[A-Za-z0-9_-]`. */
export function isServiceName(value: unknown): value is string {
  return typeof value === 'string' && SERVICE_NAME.test(value);
}

/**
 * The service routing convention for service `s`: a durable topic exchange `s`; queue `s.sync`
 * bound with `s.sync.#` (blocking calls: transient messages, results) and queue `s.async` bound
 * with `s.async.#` (fire-and-forget: persistent messages, no result, may live on another broker).
 */
export interface ServiceConvention {
  readonly service: string;
  readonly sync: TaskQueue;
  readonly async: TaskQueue;
}

/** The convention's queues for `service`. @throws InvalidTaskRoutesError for a bad service name */
export function serviceConvention(service: string): ServiceConvention {
  if (!isServiceName(service)) {
    throw new InvalidTaskRoutesError(`service name must be a non-empty string of [A-Za-z0-9_-], got ${JSON.stringify(service)}`);
  }
  return {
    service,
    sync: { name: `${service}.sync`, exchange: service, exchangeType: 'topic', bindingKey: `${service}.sync.#`, lane: 'sync' },
    async: { name: `${service}.async`, exchange: service, exchangeType: 'topic', bindingKey: `${service}.async.#`, lane: 'async' },
  };
}

/**
 * A router for the convention of the given services: `s.sync.<name>` goes to queue `s.sync`
 * (exchange `s`, routing key = task name, transient), `s.async.<name>` to queue `s.async`
 * (persistent, `ignoreResult`, no `reply_to`, async broker lane). Other names: undefined.
 */
export function serviceConventionRouter(conventions: readonly ServiceConvention[]): TaskRouterFunction {
  const byService = new Map(conventions.map((c) => [c.service, c]));
  return function serviceConventionRoute(name: string): RouterRoute | undefined {
    const dot = name.indexOf('.');
    if (dot <= 0) return undefined;
    const convention = byService.get(name.slice(0, dot));
    if (!convention) return undefined;
    if (name.startsWith('sync.', dot + 1) && name.length > dot + 6) {
      return { queue: convention.sync.name, routingKey: name, deliveryMode: 1, lane: 'sync' };
    }
    if (name.startsWith('async.', dot + 1) && name.length > dot + 7) {
      return { queue: convention.async.name, routingKey: name, deliveryMode: 2, ignoreResult: true, replyTo: null, lane: 'async' };
    }
    return undefined;
  };
}
