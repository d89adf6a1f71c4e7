import { instanceToPlain, plainToInstance } from 'class-transformer';
import type { EventClass } from './celery-event.metadata.js';
import { PLAIN_SHAPE, transformShapeOf, type TransformShape, type TypeMetadata } from './transform-shape.js';

/*
 * class-transformer's `instanceToPlain` and `plainToInstance` (default options), step for step,
 * for the values events are made of: objects, arrays, primitives and dates, with classes whose
 * only class-transformer decorators are `@Type` (see transform-shape.ts). class-transformer looks
 * its metadata up again for every key of every object; these walkers read it once per class.
 * Anything else (Map, Set, Buffer, promises, function-valued properties, classes with
 * `@Expose`/`@Exclude`/`@Transform` or discriminators) makes the walker give up, and the whole
 * conversion goes through class-transformer. event-transform.spec.ts compares both on the
 * contracts and on the edge cases.
 */

/** A walker's answer for a value it leaves to class-transformer. */
const UNSUPPORTED: unique symbol = Symbol('class-transformer only');
type Walked = unknown;

/** The class whose metadata class-transformer consults for `value`: the declared one, else the value's own class. */
function targetOf(value: object, declared: unknown): unknown {
  if (declared || value.constructor === Object) return declared;
  // class-transformer leaves array-like objects whose constructor is Array untyped.
  return !Array.isArray(value) && value.constructor === Array ? declared : value.constructor;
}

function shapeOf(target: unknown): TransformShape | null {
  return target ? transformShapeOf(target as object) : PLAIN_SHAPE;
}

/** The type `@Type` gives `property`, as class-transformer computes it (its type function sees the objects). */
function declaredType(metadata: TypeMetadata, newObject: object, object: object, property: string): unknown {
  return metadata.typeFunction ? metadata.typeFunction({ newObject, object, property }) : metadata.reflectedType;
}

/**
 * The conversions both directions share (class-transformer's order of checks), or `undefined`
 * when `value` is an object for the direction's own walk. Arrays are walked by the caller.
 */
function convertScalar(value: unknown, target: unknown): Walked {
  if (target === String) return value === null || value === undefined ? value : String(value);
  if (target === Number) return value === null || value === undefined ? value : Number(value);
  if (target === Boolean) return value === null || value === undefined ? value : Boolean(value);
  if (target === Date || value instanceof Date) {
    if (value instanceof Date) return new Date(value.valueOf());
    return value === null || value === undefined ? value : new Date(value as string);
  }
  if (target === Buffer || value instanceof Buffer) return UNSUPPORTED;
  if (typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function') return UNSUPPORTED;
  return typeof value === 'object' && value !== null ? undefined : value;
}

/** Each element of `array` (holes skipped, as `forEach` does) converted by `convert`; UNSUPPORTED when one is. */
function walkArray(array: unknown[], out: unknown[], convert: (item: unknown) => Walked): Walked {
  for (let i = 0; i < array.length; i++) {
    const item = array[i];
    if (item === undefined && !(i in array)) continue;
    const converted = convert(item);
    if (converted === UNSUPPORTED) return UNSUPPORTED;
    out.push(converted);
  }
  return out;
}

/** Entry checks both walkers make: values and targets they never convert themselves. */
function unsupported(value: unknown, target: unknown): boolean {
  return value instanceof Map || value instanceof Set || (!!target && typeof target !== 'function');
}

function toPlain(value: unknown, target: unknown): Walked {
  if (unsupported(value, target)) return UNSUPPORTED;
  if (Array.isArray(value)) return walkArray(value, [], (item) => toPlain(item, target));
  const scalar = convertScalar(value, target);
  if (scalar !== undefined || typeof value !== 'object' || value === null) return scalar;
  const source = value as Record<string, unknown>;
  const type = targetOf(source, target);
  const shape = shapeOf(type);
  if (!shape) return UNSUPPORTED;
  const plain: Record<string, unknown> = {};
  for (const key of Object.keys(source)) {
    if (key === '__proto__' || key === 'constructor') continue;
    const item = source[key];
    if (item instanceof Function) return UNSUPPORTED; // class-transformer calls it
    const metadata = type ? shape.types.get(key) : undefined;
    const converted = toPlain(item, metadata ? declaredType(metadata, plain, source, key) : undefined);
    if (converted === UNSUPPORTED) return UNSUPPORTED;
    plain[key] = converted;
  }
  return plain;
}

function toInstance(value: unknown, target: unknown, arrayType: unknown): Walked {
  if (unsupported(value, target)) return UNSUPPORTED;
  if (Array.isArray(value)) {
    // class-transformer instantiates the property's declared array type; Array and Object both give [].
    if (arrayType && arrayType !== Array && arrayType !== Object) return UNSUPPORTED;
    return walkArray(value, [], (item) => toInstance(item, target, undefined));
  }
  const scalar = convertScalar(value, target);
  if (scalar !== undefined || typeof value !== 'object' || value === null) return scalar;
  const source = value as Record<string, unknown>;
  const type = targetOf(source, target) as (new () => object) | undefined;
  const shape = shapeOf(type);
  if (!shape) return UNSUPPORTED;
  const instance = (type ? new type() : {}) as Record<string, unknown>;
  const prototype = (instance.constructor as { prototype?: object } | undefined)?.prototype;
  for (const key of Object.keys(source)) {
    if (key === '__proto__' || key === 'constructor') continue;
    const item = source[key];
    const metadata = type ? shape.types.get(key) : undefined;
    const itemType = metadata ? declaredType(metadata, instance, source, key) : undefined;
    // class-transformer never overwrites a method or a read-only accessor of the new object.
    if (prototype) {
      const descriptor = Object.getOwnPropertyDescriptor(prototype, key);
      if ((descriptor && !descriptor.set) || instance[key] instanceof Function) continue;
    }
    const converted = toInstance(item, itemType, Array.isArray(item) ? metadata?.reflectedType : undefined);
    if (converted === UNSUPPORTED) return UNSUPPORTED;
    instance[key] = converted;
  }
  return instance;
}

/**
 * `instanceToPlain(event)`: nested objects become plain objects, numbers stay numbers, dates are
 * copied (JSON writes them as ISO 8601), `@Type` conversions applied.
 */
export function eventToPlain(event: object): Record<string, unknown> {
  const plain = toPlain(event, undefined);
  return (plain === UNSUPPORTED ? instanceToPlain(event) : plain) as Record<string, unknown>;
}

/** `plainToInstance(type, plain)`: `type` with its `@Type` properties (nested classes, dates) converted. */
export function plainToEvent<T extends object>(type: EventClass<T>, plain: object): T {
  const event = toInstance(plain, type, undefined);
  return (event === UNSUPPORTED ? plainToInstance(type, plain) : event) as T;
}
