import { instanceToPlain, plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError, type ValidatorOptions } from 'class-validator';
import type { EventClass } from './celery-event.metadata.js';

/** Outcome of {@link decodeEventPayload}: the validated instance, or why the payload is not one. */
export type DecodedEvent<T extends object> = { ok: true; event: T } | { ok: false; violations: string[] };

/**
 * class-validator's options for events: an object without rules is a violation (a nested plain
 * object where a class is expected), unknown keys are kept (no whitelist), and errors carry
 * neither the object nor the value (violations go to logs and dead-letter headers).
 */
const VALIDATION: ValidatorOptions = { forbidUnknownValues: true, validationError: { target: false, value: false } };

function flatten(errors: ValidationError[], prefix: string, out: string[]): string[] {
  for (const error of errors) {
    const path = prefix ? `${prefix}.${error.property}` : error.property;
    for (const message of Object.values(error.constraints ?? {})) out.push(`${path}: ${message}`);
    if (error.children?.length) flatten(error.children, path, out);
  }
  return out;
}

/**
 * Validates an event instance with its class-validator decorators (`validateSync`,
 * forbidUnknownValues, no groups); returns one line per violation, `path: message` (empty: valid).
 */
export function eventViolations(event: object): string[] {
  return flatten(validateSync(event, VALIDATION), '', []);
}

/**
 * The JSON-ready payload of an event instance: class-transformer's `instanceToPlain` with default
 * options. Nested objects become plain objects, numbers stay numbers, dates serialize as ISO 8601
 * strings, and `@Expose`/`@Exclude`/`@Transform` apply.
 * @throws Error from class-transformer when it cannot convert the instance (e.g. a discriminated
 *   `@Type` property holding an object of none of its sub-types)
 */
export function encodeEventPayload(event: object): Record<string, unknown> {
  return instanceToPlain(event);
}

/**
 * Turns a received payload into a validated instance of `type` (class-transformer's
 * `plainToInstance` with default options, no implicit conversion: `@Type(() => Date)` fields
 * become dates and nested lines their classes), or the reasons it is not one. Never throws.
 */
export function decodeEventPayload<T extends object>(type: EventClass<T>, payload: unknown): DecodedEvent<T> {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    return { ok: false, violations: [`payload must be a JSON object, got ${Array.isArray(payload) ? 'an array' : typeof payload}`] };
  }
  let event: T;
  try {
    event = plainToInstance(type, payload);
  } catch (error) {
    return { ok: false, violations: [`payload cannot be read as ${type.name}: ${(error as Error).message}`] };
  }
  const violations = eventViolations(event);
  return violations.length === 0 ? { ok: true, event } : { ok: false, violations };
}
