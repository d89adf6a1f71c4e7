import { toCeleryJsonData } from './celery-json.encoder.js';
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
  const headers = setTaskFields(spec, {});
  setHeaderOnlyFields(spec, headers);
  return headers;
}

/**
 * Writes into `out` the compact fields that protocol v1's layout can carry in its body as well:
 * `task`, `id`, `root_id` always; `shadow`, `eta`, `expires`, `group`, `parent_id` when set;
 * `retries` when not 0; `timelimit` when either limit is set.
 */
function setTaskFields(spec: TaskMessageSpec, out: Record<string, unknown>): Record<string, unknown> {
  out.task = spec.task;
  out.id = spec.id;
  out.root_id = spec.rootId ?? spec.id;
  if (spec.shadow) out.shadow = spec.shadow;
  if (spec.eta) out.eta = toIso(spec.eta);
  if (spec.expires) out.expires = toIso(spec.expires);
  if (spec.group) out.group = spec.group;
  if (spec.retries) out.retries = spec.retries;
  if (spec.timeLimit && (spec.timeLimit[0] !== null || spec.timeLimit[1] !== null)) out.timelimit = spec.timeLimit;
  if (spec.parentId) out.parent_id = spec.parentId;
  return out;
}

/** Writes into `headers` the compact fields Celery reads from headers only: `group_index` when set, `ignore_result` when true. */
function setHeaderOnlyFields(spec: TaskMessageSpec, headers: Record<string, unknown>): void {
  if (spec.groupIndex !== undefined && spec.groupIndex !== null) headers.group_index = spec.groupIndex;
  if (spec.ignoreResult) headers.ignore_result = true;
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

/** Custom headers merged into Celery's: never under one of Celery's own names when `reserved` says so. */
function mergeCustomHeaders(headers: Record<string, unknown>, custom: Record<string, unknown> | undefined, reserved: boolean): void {
  if (!custom) return;
  for (const key of Object.keys(custom)) {
    if (!(key in headers) && !(reserved && CELERY_HEADER_NAMES.has(key))) headers[key] = custom[key];
  }
}

/** The AMQP `expiration` (ms from now) Celery sets from `expires`; undefined when there is none. */
function expirationOf(spec: TaskMessageSpec): string | undefined {
  if (!spec.expires || spec.expirationProperty === false) return undefined;
  const expiresAt = expiryTime(spec.expires);
  return expiresAt === null ? undefined : String(Math.max(0, Math.trunc(expiresAt - Date.now())));
}

/**
 * Protocol v1's layout (`wireHeaders: 'body'`): the task's fields in a JSON dict body, as Celery
 * 5.2's `hybrid_to_proto2` reads them (only the ones that are set; `root_id` always, as in the
 * compact headers). What that function does not read from the body goes in headers, which it
 * merges over the body's fields: `ignore_result` when true, `group_index` when set. No
 * `content_encoding` (kombu and this library read utf-8 without it), and `correlation_id` only
 * with a `reply_to` (Celery's rpc backend and this library fall back to the task id): without a
 * reply queue, the properties of a task without custom headers fit in 64 bytes.
 */
function encodeBodyForm(spec: TaskMessageSpec, args: unknown[], kwargs: Record<string, unknown>): EncodedTaskMessage {
  const fields = setTaskFields(spec, {});
  fields.args = args;
  fields.kwargs = kwargs;
  const embed = spec.embed;
  if (embed?.callbacks) fields.callbacks = embed.callbacks;
  if (embed?.errbacks) fields.errbacks = embed.errbacks;
  if (embed?.chord) fields.chord = embed.chord;
  const headers: Record<string, unknown> = {};
  setHeaderOnlyFields(spec, headers);
  mergeCustomHeaders(headers, spec.headers, true);
  const properties: EncodedTaskMessage['properties'] = { contentType: 'application/json', deliveryMode: spec.deliveryMode ?? 2, headers };
  if (spec.replyTo) {
    properties.replyTo = spec.replyTo;
    properties.correlationId = spec.id;
  }
  if (spec.priority !== undefined) properties.priority = spec.priority;
  const expiration = expirationOf(spec);
  if (expiration !== undefined) properties.expiration = expiration;
  return { body: Buffer.from(JSON.stringify(fields), 'utf8'), properties };
}

/**
 * Writes a Celery task message as {@link TaskMessageSpec.wireHeaders} says. Protocol v2 (`'full'`,
 * `'compact'`) has a 3-element body `[args, kwargs, embed]` and `correlation_id` = task id; the
 * header table depends on the form:
 * - `'full'`: Celery 5.2's 16 headers in Celery's order, the full embed dict, as Python writes them;
 * - `'compact'`: `task`, `id` and only the headers whose value differs from what a Celery worker
 *   assumes when the header is absent (see {@link compactTaskHeaders}), and only the embed keys
 *   that are set. RabbitMQ's CPU per message grows with the header table (~90 µs with 16 headers,
 *   ~62 µs with two, measured by `bench/micro/broker-cost.ts`).
 * - `'body'`: see {@link encodeBodyForm}; a task with a chain is written as `'compact'` (the
 *   v1 layout has no chain).
 * Custom `headers` are merged after Celery's in all of them. Arguments follow Celery JSON's value
 * rules ({@link toCeleryJsonData}); throws `CeleryEncodeError` for one that cannot be written.
 */
export function encodeTaskMessage(spec: TaskMessageSpec): EncodedTaskMessage {
  // Dates, Maps and class instances become JSON data; what Celery JSON cannot carry throws CeleryEncodeError.
  const json = { typeMarkers: spec.jsonTypeMarkers };
  const args = toCeleryJsonData(spec.args ?? [], 'args', json) as unknown[];
  const kwargs = toCeleryJsonData(spec.kwargs ?? {}, 'kwargs', json) as Record<string, unknown>;
  if (spec.wireHeaders === 'body' && !spec.embed?.chain?.length) return encodeBodyForm(spec, args, kwargs);
  // 'body' with a chain falls back to the compact v2 form; undefined means 'full'.
  const compact = spec.wireHeaders === 'compact' || spec.wireHeaders === 'body';
  const headers = compact ? compactTaskHeaders(spec) : fullTaskHeaders(spec, args, kwargs);
  mergeCustomHeaders(headers, spec.headers, compact);
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
  const expiration = expirationOf(spec);
  if (expiration !== undefined) properties.expiration = expiration;
  return { body, properties };
}
