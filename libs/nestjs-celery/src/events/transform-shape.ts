import { Type } from 'class-transformer';
import classTransformerStorageModule from 'class-transformer/cjs/storage.js';

/** What class-transformer records for one `@Type` decorator (the fields the fast conversions read). */
export interface TypeMetadata {
  typeFunction?: (options: { newObject: unknown; object: unknown; property: string }) => unknown;
  reflectedType?: unknown;
  options?: { discriminator?: unknown };
}

/**
 * The class-transformer decorators that matter for one class and its ancestors, when they are
 * only `@Type` decorators without discriminators: the conversions of `event-transform.ts` then
 * equal class-transformer's. A class with `@Expose`, `@Exclude`, `@Transform` or a discriminated
 * or `Map` `@Type` (on itself or an ancestor) has no shape and goes through class-transformer.
 */
export interface TransformShape {
  /** `@Type` metadata by property, the class's own first, then its nearest ancestors' (as class-transformer looks them up). */
  types: ReadonlyMap<string, TypeMetadata>;
}

/** The part of class-transformer 0.5's metadata storage this module reads. */
interface ClassTransformerStorage {
  _typeMetadatas: Map<unknown, Map<string, TypeMetadata>>;
  _transformMetadatas: Map<unknown, Map<string, unknown>>;
  _exposeMetadatas: Map<unknown, Map<string | undefined, unknown>>;
  _excludeMetadatas: Map<unknown, Map<string | undefined, unknown>>;
  getAncestors(target: unknown): unknown[];
  findTypeMetadata(target: unknown, property: string): TypeMetadata | undefined;
}

/**
 * class-transformer's metadata storage, when it is the one its decorators write to (checked with
 * a probe class); otherwise null, and every conversion goes through class-transformer itself.
 */
function classTransformerStorage(): ClassTransformerStorage | null {
  try {
    const storage = classTransformerStorageModule.defaultMetadataStorage as ClassTransformerStorage | undefined;
    if (!storage || ![storage._typeMetadatas, storage._transformMetadatas, storage._exposeMetadatas, storage._excludeMetadatas].every((m) => m instanceof Map)) {
      return null;
    }
    class TransformShapeProbe {}
    Type(() => Date)(TransformShapeProbe.prototype, 'at');
    return storage.findTypeMetadata(TransformShapeProbe, 'at') ? storage : null;
  } catch {
    return null;
  }
}

const storage = classTransformerStorage();
const shapes = new WeakMap<object, TransformShape | null>();
/** The shape of classes nothing is known about (plain objects): no decorators. */
export const PLAIN_SHAPE: TransformShape = { types: new Map() };

function computeShape(target: object): TransformShape | null {
  if (!storage) return null;
  const types = new Map<string, TypeMetadata>();
  for (const klass of [target, ...storage.getAncestors(target)]) {
    if (storage._transformMetadatas.has(klass) || storage._exposeMetadatas.has(klass) || storage._excludeMetadatas.has(klass)) return null;
    for (const [property, metadata] of storage._typeMetadatas.get(klass) ?? []) {
      if (metadata.options?.discriminator || metadata.reflectedType === Map) return null;
      if (!types.has(property)) types.set(property, metadata);
    }
  }
  return { types };
}

/**
 * The {@link TransformShape} of class `target` (computed once per class, after its decorators
 * ran), or null when class-transformer must convert its instances itself.
 */
export function transformShapeOf(target: object): TransformShape | null {
  let shape = shapes.get(target);
  if (shape === undefined) {
    shape = computeShape(target);
    shapes.set(target, shape);
  }
  return shape;
}
