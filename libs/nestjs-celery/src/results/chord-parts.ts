import { parseCeleryJson } from '../protocol/celery-json.js';
import { isPropagatedState } from '../protocol/celery-state.js';
import { toCeleryJsonData } from '../protocol/celery-json.encoder.js';
import { CELERY_EXCEPTION_MODULE, isExceptionInfo, type ExceptionInfo } from '../protocol/exception-info.js';
import { pythonRepr } from '../protocol/python-repr.js';
import { pythonJsonDumps } from './python-json.js';

/** One finished header task as `on_chord_part_return` adds it to the `.j` set: `[1, task_id, state, result]`. */
export function encodeChordPart(taskId: string, state: string, result: unknown, typeMarkers = false): string {
  return pythonJsonDumps([1, taskId, state, toCeleryJsonData(result ?? null, 'result', { typeMarkers }) ?? null]);
}

/** The header's values in `group_index` order, or the `ChordError` of the first part that failed. */
export type ChordOutcome = { ok: true; values: unknown[] } | { ok: false; error: ExceptionInfo };

/**
 * Unpacks the `.j` members (already in `group_index` order) as `_unpack_chord_result` does: the
 * first FAILURE or REVOKED part makes the chord fail with
 * `ChordError('Dependency <id> raised <repr of its exception>')`.
 */
export function unpackChordParts(members: string[]): ChordOutcome {
  const values: unknown[] = [];
  for (const member of members) {
    const [, taskId, state, result] = parseCeleryJson(member) as [number, string, string, unknown];
    if (isPropagatedState(state)) return { ok: false, error: chordError(`Dependency ${taskId} raised ${exceptionRepr(result)}`) };
    values.push(result);
  }
  return { ok: true, values };
}

/** Celery's `celery.exceptions.ChordError(message)` as a result stores it. */
export function chordError(message: string): ExceptionInfo {
  return { exc_type: 'ChordError', exc_message: [message], exc_module: CELERY_EXCEPTION_MODULE };
}

/** Python's `repr()` of an exception from its stored form: `ValueError('boom')`. */
export function exceptionRepr(result: unknown): string {
  if (!isExceptionInfo(result)) return pythonRepr(result);
  const args = Array.isArray(result.exc_message) ? result.exc_message : [result.exc_message];
  return args.length === 1 ? `${result.exc_type}(${pythonRepr(args[0])})` : `${result.exc_type}${pythonRepr(args, true)}`;
}
