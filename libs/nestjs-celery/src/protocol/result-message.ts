import { toCeleryJsonData, type CeleryEncodeError, type CeleryJsonOptions } from './celery-json.encoder.js';
import { parseCeleryJson } from './celery-json.js';
import { InvalidTypeMarkerError } from './celery-json.markers.js';
import { InvalidTaskMessageError } from './protocol.errors.js';

/** A result tuple as Celery nests it in `children`: `[[id, parent], null]` or `[[gid, null], [children]]`. */
export type ResultTuple = [[string, unknown], unknown];

/** An rpc:// result body: exactly Celery's five keys. */
export interface ResultMessage {
  task_id: string;
  status: string;
  result: unknown;
  traceback: string | null;
  children: unknown[];
}

/**
 * Encodes an rpc result body. `task_id` is mandatory: Python's client matches on it. The result
 * follows Celery JSON's value rules ({@link toCeleryJsonData}); throws {@link CeleryEncodeError}
 * when it cannot be written, as kombu raises `EncodeError` for a Python worker's result.
 * `json.typeMarkers` writes kombu ≥ 5.3's type markers, for a caller on Celery 5.3+.
 */
export function encodeResultMessage(message: ResultMessage, json: CeleryJsonOptions = {}): Buffer {
  const result = message.result === undefined ? null : toCeleryJsonData(message.result, 'result', json);
  return Buffer.from(
    JSON.stringify({
      task_id: message.task_id,
      status: message.status,
      result: result === undefined ? null : result,
      traceback: message.traceback ?? null,
      children: message.children ?? [],
    }),
    'utf8',
  );
}

/** Decodes an rpc result body; throws {@link InvalidTaskMessageError} when it is not one. */
export function decodeResultMessage(content: Buffer): ResultMessage {
  let parsed: unknown;
  try {
    parsed = parseCeleryJson(content.toString('utf8'));
  } catch (error) {
    if (error instanceof InvalidTypeMarkerError) throw new InvalidTaskMessageError('not-json', `result body has an ${error.message}`);
    throw new InvalidTaskMessageError('not-json', 'result body is not valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new InvalidTaskMessageError('body-shape', 'result body must be a JSON object');
  }
  const body = parsed as Record<string, unknown>;
  if (typeof body.task_id !== 'string' || typeof body.status !== 'string') {
    throw new InvalidTaskMessageError('body-shape', "result body needs string 'task_id' and 'status'");
  }
  return {
    task_id: body.task_id,
    status: body.status,
    result: body.result ?? null,
    traceback: typeof body.traceback === 'string' ? body.traceback : null,
    children: Array.isArray(body.children) ? body.children : [],
  };
}

/** The `children` entry for a single task id: `[[id, null], null]`. */
export function resultTuple(taskId: string): ResultTuple {
  return [[taskId, null], null];
}
