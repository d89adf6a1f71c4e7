import { parseCeleryIsoDate, toCeleryIsoString } from './iso-time.js';
import { pythonRepr } from './python-repr.js';
import type { EncodedTaskMessage, TaskEmbed, TaskMessageSpec } from './task-message.js';

function toIso(value: Date | string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  return typeof value === 'string' ? value : toCeleryIsoString(value);
}

/**
 * Milliseconds since the epoch for `expires`, read like the worker reads the header (a naive
 * ISO string is UTC, not local time as `Date.parse` would take it); null when unreadable.
 */
function expiryTime(value: Date | string): number | null {
  if (typeof value !== 'string') return Number.isNaN(value.getTime()) ? null : value.getTime();
  try {
    return parseCeleryIsoDate(value, 'expires')?.getTime() ?? null;
  } catch {
    return null;
  }
}

/** The full `embed` dict Celery always sends; missing keys become `null`. */
export function toEmbed(embed: Partial<TaskEmbed> | undefined): TaskEmbed {
  return {
    callbacks: embed?.callbacks ?? null,
    errbacks: embed?.errbacks ?? null,
    chain: embed?.chain ?? null,
    chord: embed?.chord ?? null,
  };
}

/**
 * Writes a Celery protocol v2 task message exactly as Python Celery 5.2 does: the 16 headers
 * in Celery's order (custom ones merged after), a 3-element body `[args, kwargs, embed]`
 * with the full embed dict, and `correlation_id` = task id.
 */
export function encodeTaskMessage(spec: TaskMessageSpec): EncodedTaskMessage {
  const args = spec.args ?? [];
  const kwargs = spec.kwargs ?? {};
  const eta = toIso(spec.eta);
  const expires = toIso(spec.expires);
  const headers: Record<string, unknown> = {
    lang: 'py',
    task: spec.task,
    id: spec.id,
    shadow: spec.shadow ?? null,
    eta,
    expires,
    group: spec.group ?? null,
    group_index: spec.groupIndex ?? null,
    retries: spec.retries ?? 0,
    timelimit: spec.timeLimit ?? [null, null],
    root_id: spec.rootId ?? spec.id,
    parent_id: spec.parentId ?? null,
    argsrepr: pythonRepr(args, true),
    kwargsrepr: pythonRepr(kwargs),
    origin: spec.origin,
    ignore_result: spec.ignoreResult ?? false,
  };
  if (spec.headers) {
    for (const key of Object.keys(spec.headers)) {
      if (!(key in headers)) headers[key] = spec.headers[key];
    }
  }
  const body = Buffer.from(JSON.stringify([args, kwargs, toEmbed(spec.embed)]), 'utf8');
  const properties: EncodedTaskMessage['properties'] = {
    contentType: 'application/json',
    contentEncoding: 'utf-8',
    deliveryMode: spec.deliveryMode ?? 2,
    correlationId: spec.id,
    headers,
  };
  if (spec.replyTo) properties.replyTo = spec.replyTo;
  if (spec.priority !== undefined) properties.priority = spec.priority;
  if (spec.expires && spec.expirationProperty !== false) {
    const expiresAt = expiryTime(spec.expires);
    if (expiresAt !== null) properties.expiration = String(Math.max(0, Math.trunc(expiresAt - Date.now())));
  }
  return { body, properties };
}
