import { toCeleryJsonData } from '../protocol/celery-json.encoder.js';
import { parseCeleryJson } from '../protocol/celery-json.js';
import { isReadyState } from '../protocol/celery-state.js';
import { decodeResultMessage, type ResultMessage } from '../protocol/result-message.js';
import { pythonJsonDumps } from './python-json.js';

/** The request fields `result_extended` adds to a stored result. */
export interface ExtendedTaskMeta {
  name: string | null;
  args: unknown[] | null;
  kwargs: Record<string, unknown> | null;
  worker: string | null;
  retries: number | null;
  queue: string | null;
}

/**
 * A task's result as a key-value backend stores it (`celery-task-meta-<id>`): the rpc body's
 * five keys plus `date_done`, `group_id`/`parent_id` when set, and the extended fields.
 */
export interface TaskMeta extends ResultMessage {
  date_done: string | null;
  group_id?: string;
  parent_id?: string;
  extended?: ExtendedTaskMeta;
}

/** What {@link encodeTaskMeta} writes. */
export interface TaskMetaInput extends ResultMessage {
  groupId?: string | null;
  parentId?: string | null;
  extended?: ExtendedTaskMeta;
  /** Time of a ready state (SUCCESS, FAILURE, REVOKED); none for the others, as in Celery. */
  now?: Date;
  /** Write `date_done` as Celery 5.3+ does (`+00:00`), else as 5.2 (`datetime.utcnow().isoformat()`, naive). */
  awareDate?: boolean;
  /** Write the result with kombu ≥ 5.3's type markers. */
  typeMarkers?: boolean;
}

/**
 * `datetime.isoformat()` of a UTC time as Celery writes `date_done`: microseconds
 * (`2026-12-04T13:54:48.123000`), naive for 5.2, `+00:00` for 5.3+ (`app.now()`).
 */
export function celeryDateDone(now: Date, aware: boolean): string {
  const iso = now.toISOString(); // 2026-12-04T13:54:48.123Z
  return `${iso.slice(0, 23)}000${aware ? '+00:00' : ''}`;
}

/**
 * Encodes a result as `BaseKeyValueStoreBackend._store_result` does (keys in Celery's order,
 * Python's JSON spacing). Throws `CeleryEncodeError` when the result cannot be written.
 */
export function encodeTaskMeta(input: TaskMetaInput): string {
  const meta: Record<string, unknown> = {
    status: input.status,
    result: input.result === undefined ? null : toCeleryJsonData(input.result, 'result', { typeMarkers: input.typeMarkers }) ?? null,
    traceback: input.traceback ?? null,
    children: input.children ?? [],
    date_done: isReadyState(input.status) ? celeryDateDone(input.now ?? new Date(), input.awareDate ?? false) : null,
  };
  if (input.groupId) meta.group_id = input.groupId;
  if (input.parentId) meta.parent_id = input.parentId;
  if (input.extended) {
    const { name, args, kwargs, worker, retries, queue } = input.extended;
    Object.assign(meta, {
      name,
      args: toCeleryJsonData(args, 'args', { typeMarkers: input.typeMarkers }) ?? null,
      kwargs: toCeleryJsonData(kwargs, 'kwargs', { typeMarkers: input.typeMarkers }) ?? null,
      worker,
      retries,
      queue,
    });
  }
  meta.task_id = input.task_id;
  return pythonJsonDumps(meta);
}

/** Decodes a stored result (type markers decoded); throws `InvalidTaskMessageError` when it is not one. */
export function decodeTaskMeta(raw: string | Buffer): TaskMeta {
  const content = typeof raw === 'string' ? Buffer.from(raw, 'utf8') : raw;
  const message = decodeResultMessage(content);
  const body = parseCeleryJson(content.toString('utf8')) as Record<string, unknown>;
  const meta: TaskMeta = { ...message, date_done: typeof body.date_done === 'string' ? body.date_done : null };
  if (typeof body.group_id === 'string') meta.group_id = body.group_id;
  if (typeof body.parent_id === 'string') meta.parent_id = body.parent_id;
  if ('name' in body || 'worker' in body) {
    meta.extended = {
      name: typeof body.name === 'string' ? body.name : null,
      args: Array.isArray(body.args) ? body.args : null,
      kwargs: typeof body.kwargs === 'object' && body.kwargs !== null ? (body.kwargs as Record<string, unknown>) : null,
      worker: typeof body.worker === 'string' ? body.worker : null,
      retries: typeof body.retries === 'number' ? body.retries : null,
      queue: typeof body.queue === 'string' ? body.queue : null,
    };
  }
  return meta;
}
