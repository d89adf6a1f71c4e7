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

/** Celery 5.2's own header names: a custom header never takes one of them (Celery ignores such entries too). */
const CELERY_HEADER_NAMES = new Set([
  'lang', 'task', 'id', 'shadow', 'eta', 'expires', 'group', 'group_index', 'retries',
  'timelimit', 'root_id', 'parent_id', 'argsrepr', 'kwargsrepr', 'origin', 'ignore_result',
]);

/** Celery 5.2's 16 headers, in the order Python writes them. */
function fullTaskHeaders(spec: TaskMessageSpec, args: unknown[], kwargs: Record<string, unknown>): Record<string, unknown> {
  return {
    lang: 'py',
    task: spec.task,
    id: spec.id,
    shadow: spec.shadow ?? null,
    eta: toIso(spec.eta),
    expires: toIso(spec.expires),
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
}

/**
 * `task`, `id` and the headers whose value is not what a Celery 5.2 worker assumes when the
 * header is absent (it reads every other header with `.get()`): `shadow`, `eta`, `expires`,
 * `group`, `group_index`, `parent_id` when set; `retries` when not 0; `timelimit` when either
 * limit is set; `ignore_result` when true. `root_id` is always written (a worker would otherwise
 * read `None`, not the task's own id). Left out: `lang`, `argsrepr`, `kwargsrepr` and `origin`,
 * which Celery only logs and shows (a Python task reads `None` or `''` for them), and a
 * `timelimit` of `[null, null]` (read as `None`, which Celery treats the same).
 */
export function compactTaskHeaders(spec: TaskMessageSpec): Record<string, unknown> {
  const headers: Record<string, unknown> = { task: spec.task, id: spec.id, root_id: spec.rootId ?? spec.id };
  if (spec.shadow) headers.shadow = spec.shadow;
  if (spec.eta) headers.eta = toIso(spec.eta);
  if (spec.expires) headers.expires = toIso(spec.expires);
  if (spec.group) headers.group = spec.group;
  if (spec.groupIndex !== undefined && spec.groupIndex !== null) headers.group_index = spec.groupIndex;
  if (spec.retries) headers.retries = spec.retries;
  if (spec.timeLimit && (spec.timeLimit[0] !== null || spec.timeLimit[1] !== null)) headers.timelimit = spec.timeLimit;
  if (spec.parentId) headers.parent_id = spec.parentId;
  if (spec.ignoreResult) headers.ignore_result = true;
  return headers;
}

/** The compact embed of a task without canvas links (shared: it is only serialized). */
const NO_EMBED: Partial<TaskEmbed> = Object.freeze({});

/** Only the embed keys that are set (a worker reads each with `.get()`); `{}` when none is. */
function setEmbedKeys(embed: Partial<TaskEmbed> | undefined): Partial<TaskEmbed> {
  if (!embed || !(embed.callbacks || embed.errbacks || embed.chain || embed.chord)) return NO_EMBED;
  const set: Partial<TaskEmbed> = {};
  if (embed.callbacks) set.callbacks = embed.callbacks;
  if (embed.errbacks) set.errbacks = embed.errbacks;
  if (embed.chain) set.chain = embed.chain;
  if (embed.chord) set.chord = embed.chord;
  return set;
}

/**
 * Writes a Celery protocol v2 task message. A 3-element body `[args, kwargs, embed]` and
 * `correlation_id` = task id in both header sets; the header table depends on
 * {@link TaskMessageSpec.wireHeaders}:
 * - `'full'`: Celery 5.2's 16 headers in Celery's order, the full embed dict, as Python writes them;
 * - `'compact'`: `task`, `id` and only the headers whose value differs from what a Celery worker
 *   assumes when the header is absent (see {@link compactTaskHeaders}), and only the embed keys
 *   that are set. RabbitMQ's CPU per message grows with the header table (~90 µs with 16 headers,
 *   ~62 µs with two, measured by `bench/micro/broker-cost.ts`).
 * Custom `headers` are merged after Celery's in both.
 */
export function encodeTaskMessage(spec: TaskMessageSpec): EncodedTaskMessage {
  const args = spec.args ?? [];
  const kwargs = spec.kwargs ?? {};
  const compact = spec.wireHeaders === 'compact';
  const headers = compact ? compactTaskHeaders(spec) : fullTaskHeaders(spec, args, kwargs);
  if (spec.headers) {
    for (const key of Object.keys(spec.headers)) {
      if (!(key in headers) && !(compact && CELERY_HEADER_NAMES.has(key))) headers[key] = spec.headers[key];
    }
  }
  const body = Buffer.from(JSON.stringify([args, kwargs, compact ? setEmbedKeys(spec.embed) : toEmbed(spec.embed)]), 'utf8');
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
