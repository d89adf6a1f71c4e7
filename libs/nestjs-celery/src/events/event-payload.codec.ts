import { validateSync, type ValidationError } from 'class-validator';
import type { EventClass } from './celery-event.metadata.js';
import { eventToPlain, plainToEvent } from './event-transform.js';
import { passesValidation } from './event-validity.js';

/** Outcome of {@link decodeEventPayload}: the validated instance, or why the payload is not one. */
export type DecodedEvent<T extends object> = { ok: true; event: T } | { ok: false; violations: string[] };

const VALIDATION = { forbidUnknownValues: true, validationError: { target: false, value: false } } as const;

function flatten(errors: ValidationError[], prefix: string, out: string[]): string[] {
  for (const error of errors) {
    const path = prefix ? `${prefix}.${error.property}` : error.property;
    for (const message of Object.values(error.constraints ?? {})) out.push(`${path}: ${message}`);
    if (error.children?.length) flatten(error.children, path, out);
  }
  return out;
}

/**
 * Validates an event instance with its class-validator decorators; returns one line per violation
 * (empty: valid). Events that pass take the quick check; the violations come from `validateSync`.
 */
export function eventViolations(event: object): string[] {
  if (passesValidation(event)) return [];
  return flatten(validateSync(event, VALIDATION), '', []);
}

/**
 * The JSON-ready payload of an event instance (class-transformer's `instanceToPlain`): nested
 * objects become plain objects, numbers stay numbers, dates serialize as ISO 8601 strings.
 */
export function encodeEventPayload(event: object): Record<string, unknown> {
  return eventToPlain(event);
}

/**
 * Turns a received payload into a validated instance of `type` (class-transformer's
 * `plainToInstance`, so `@Type(() => Date)` fields become dates and nested lines their classes),
 * or the reasons it is not one. Never throws.
 */
export function decodeEventPayload<T extends object>(type: EventClass<T>, payload: unknown): DecodedEvent<T> {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    return { ok: false, violations: [`payload must be a JSON object, got ${Array.isArray(payload) ? 'an array' : typeof payload}`] };
  }
  let event: T;
  try {
    event = plainToEvent(type, payload);
  } catch (error) {
    return { ok: false, violations: [`payload cannot be read as ${type.name}: ${(error as Error).message}`] };
  }
  const violations = eventViolations(event);
  return violations.length === 0 ? { ok: true, event } : { ok: false, violations };
}
