import type { ControlReply } from './control-message.js';

/**
 * Keys that must never become properties of an object built from a remote reply: assigning
 * `__proto__` replaces the object's prototype, and `constructor` / `prototype` shadow what code
 * reading the object expects. No Celery node name or task name is one of them.
 */
const PROTOTYPE_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** True when `key` may not be used as a property name of a map built from remote input. */
export function isPrototypeKey(key: string): boolean {
  return PROTOTYPE_KEYS.has(key);
}

/** A prototype-less object: a remote key can only ever be an own property of it. */
export function nullPrototypeRecord<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

/**
 * `JSON.parse` for remote control bodies: every `__proto__` key is dropped at any depth, so no
 * later copy of the value (`Object.assign`, a merge) can set a prototype with it.
 */
export function parseRemoteJson(text: string): unknown {
  return JSON.parse(text, (key, value: unknown) => (key === '__proto__' ? undefined : value));
}

/**
 * Merges the `{ node: reply }` objects of one broadcast into one map (kombu's `_collect` result as
 * `Inspect` flattens it): a null-prototype object, prototype keys skipped, later replies winning.
 */
export function mergeReplies<T>(replies: ReadonlyArray<ControlReply<T>>): ControlReply<T> {
  const merged = nullPrototypeRecord<T>();
  for (const reply of replies) {
    for (const node of Object.keys(reply)) if (!isPrototypeKey(node)) merged[node] = reply[node]!;
  }
  return merged;
}
