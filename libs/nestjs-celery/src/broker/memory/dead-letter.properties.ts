import type { MessageProperties } from 'amqplib';
import type { DeathReason } from './memory-queue.js';
import type { QueuedMessage } from './queued-message.js';

/** One `x-death` entry, as RabbitMQ writes it. */
export interface XDeathEntry {
  count: number;
  reason: DeathReason;
  queue: string;
  time: { '!': 'timestamp'; value: number };
  exchange: string;
  'routing-keys': string[];
  'original-expiration'?: string;
}

/** The `x-death` entries of a message's headers (newest first). */
export function xDeathOf(properties: MessageProperties): XDeathEntry[] {
  const value = properties.headers?.['x-death'];
  return Array.isArray(value) ? (value as XDeathEntry[]) : [];
}

/**
 * The properties of a dead-lettered copy, as RabbitMQ makes them: the `x-death` entry for
 * (queue, reason) is created or counted up and moved first, `x-first-death-*` are set once,
 * and the per-message `expiration` is removed (kept as `original-expiration`).
 */
export function deadLetterProperties(message: QueuedMessage, queue: string, reason: DeathReason, now: number): MessageProperties {
  const { properties } = message;
  const deaths = xDeathOf(properties);
  const previous = deaths.find((d) => d.queue === queue && d.reason === reason);
  const entry: XDeathEntry = {
    count: (previous?.count ?? 0) + 1,
    reason,
    queue,
    time: { '!': 'timestamp', value: Math.floor(now / 1000) },
    exchange: message.exchange,
    'routing-keys': [message.routingKey],
    ...(properties.expiration !== undefined ? { 'original-expiration': String(properties.expiration) } : {}),
  };
  const headers: Record<string, unknown> = {
    ...properties.headers,
    'x-death': [entry, ...deaths.filter((d) => d !== previous)],
  };
  headers['x-first-death-reason'] ??= reason;
  headers['x-first-death-queue'] ??= queue;
  headers['x-first-death-exchange'] ??= message.exchange;
  return { ...properties, headers, expiration: undefined };
}

/**
 * RabbitMQ's cycle rule: a dead letter is not delivered back to a queue it already died in,
 * unless one of its deaths was a rejection (a consumer decided; an endless TTL loop did not).
 */
export function isDeadLetterCycle(properties: MessageProperties, target: string): boolean {
  const deaths = xDeathOf(properties);
  return deaths.some((d) => d.queue === target) && !deaths.some((d) => d.reason === 'rejected');
}
