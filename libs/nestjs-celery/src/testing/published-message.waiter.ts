import type { MemoryBroker } from '../broker/memory/memory-broker.js';
import type { MemoryVhost } from '../broker/memory/memory-vhost.js';
import type { PublishedMessage } from '../broker/memory/published-message.js';
import { TopicMatcher } from '../broker/topic.matcher.js';
import { decodeDelivery } from '../protocol/task-message.decoder.js';
import type { TaskRequest } from '../protocol/task-message.js';

/** Which published message to wait for; every given field must match. */
export interface PublishedMatch {
  /** Exchange name (`''` is the default exchange). */
  exchange?: string;
  /** Routing key: a topic pattern (`order.*.submit`, `billing.#`, or an exact key), or a RegExp. */
  routingKey?: string | RegExp;
  /** The Celery `task` header (task name; for events, the event's routing key). */
  task?: string;
  /** Any other condition. */
  where?: (message: PublishedMessage) => boolean;
}

/** Options of {@link awaitPublished}. */
export interface AwaitPublishedOptions {
  /** Milliseconds before {@link AwaitPublishedTimeoutError}. Default 5000. */
  timeoutMs?: number;
  /** Also match messages published before the call (the oldest match in the vhost's history). Default false. */
  past?: boolean;
}

/** No matching message was published in time; the message lists what was published meanwhile. */
export class AwaitPublishedTimeoutError extends Error {
  override readonly name = 'AwaitPublishedTimeoutError';
}

function describeMatch(match: PublishedMatch): string {
  const parts = [
    match.exchange !== undefined ? `exchange '${match.exchange}'` : undefined,
    match.routingKey !== undefined ? `routing key ${String(match.routingKey)}` : undefined,
    match.task !== undefined ? `task '${match.task}'` : undefined,
    match.where ? 'a condition' : undefined,
  ].filter(Boolean);
  return parts.length > 0 ? parts.join(', ') : 'any message';
}

/** A predicate for messages matching `match`. */
export function publishedMatcher(match: PublishedMatch): (message: PublishedMessage) => boolean {
  const { exchange, routingKey, task, where } = match;
  const topic = typeof routingKey === 'string' ? new TopicMatcher(routingKey) : undefined;
  return (message) =>
    (exchange === undefined || message.exchange === exchange) &&
    (routingKey === undefined || (topic ? topic.matches(message.routingKey) : (routingKey as RegExp).test(message.routingKey))) &&
    (task === undefined || message.properties.headers?.task === task) &&
    (where === undefined || where(message));
}

/**
 * Resolves with the next message published on the memory broker that matches (an event, a
 * follow-up task, a reply…); rejects with {@link AwaitPublishedTimeoutError} after `timeoutMs`.
 *
 * ```ts
 * const invoiced = awaitPublished(broker, { exchange: 'billing', routingKey: 'billing.*.invoiced' });
 * await placeOrder();
 * expect(decodePublishedTask(await invoiced).args[0]).toMatchObject({ orderId });
 * ```
 */
export function awaitPublished(
  source: MemoryBroker | MemoryVhost,
  match: PublishedMatch,
  options: AwaitPublishedOptions = {},
): Promise<PublishedMessage> {
  const vhost = 'vhost' in source ? source.vhost : source;
  const matches = publishedMatcher(match);
  if (options.past) {
    const earlier = vhost.published().find(matches);
    if (earlier) return Promise.resolve(earlier);
  }
  const timeoutMs = options.timeoutMs ?? 5000;
  const seen: PublishedMessage[] = [];
  return new Promise((resolve, reject) => {
    const stop = vhost.onPublished((message) => {
      if (matches(message)) {
        clearTimeout(timer);
        stop();
        resolve(message);
      } else if (seen.length < 20) seen.push(message);
    });
    const timer = setTimeout(() => {
      stop();
      const others = seen.map((m) => `'${m.exchange}' / '${m.routingKey}'`).join(', ') || 'nothing';
      reject(new AwaitPublishedTimeoutError(`no message matching ${describeMatch(match)} was published within ${timeoutMs} ms (published meanwhile: ${others})`));
    }, timeoutMs);
  });
}

/** Reads a published Celery task message (or event) like a worker would: id, task, args, kwargs, headers… */
export function decodePublishedTask(message: PublishedMessage): TaskRequest {
  return decodeDelivery(message.content, message.properties);
}
