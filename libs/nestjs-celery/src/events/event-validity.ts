import { getMetadataStorage, ValidationTypes, type ValidationArguments } from 'class-validator';

type ValidationMetadata = ReturnType<ReturnType<typeof getMetadataStorage>['getTargetValidationMetadatas']>[number];

/** The validation metadata of one property, sorted the way class-validator's executor uses it. */
interface PropertyRules {
  property: string;
  /** `@ValidateIf` / `@IsOptional`: the property is validated only when all of them hold. */
  conditions: ValidationMetadata[];
  /** `@IsDefined`, then the custom constraints (`@IsString`, `@Min`, …). */
  checks: ValidationMetadata[];
  /** True with `@ValidateNested`. */
  nested: boolean;
}

const storage = getMetadataStorage();
/** Rules by class; null when this check cannot judge the class (class-validator decides). */
const rulesByClass = new WeakMap<object, PropertyRules[] | null>();

function compileRules(type: object): PropertyRules[] | null {
  // No groups, `always` off: class-validator's executor takes every metadata of the class and its ancestors.
  const metadatas = storage.getTargetValidationMetadatas(type as () => void, undefined as unknown as string, false, false, undefined);
  const byProperty = new Map<string, PropertyRules & { defined: ValidationMetadata[] }>();
  for (const metadata of metadatas) {
    const { propertyName: property, type: kind } = metadata;
    // Promise validation, and properties named like Object.prototype members (the executor groups them in a plain object).
    if (kind === ValidationTypes.PROMISE_VALIDATION || typeof property !== 'string' || property in Object.prototype) return null;
    let rules = byProperty.get(property);
    if (!rules) byProperty.set(property, (rules = { property, conditions: [], defined: [], checks: [], nested: false }));
    if (kind === ValidationTypes.CONDITIONAL_VALIDATION) rules.conditions.push(metadata);
    else if (kind === ValidationTypes.IS_DEFINED) rules.defined.push(metadata);
    else if (kind === ValidationTypes.CUSTOM_VALIDATION) rules.checks.push(metadata);
    else if (kind === ValidationTypes.NESTED_VALIDATION) rules.nested = true;
  }
  return [...byProperty.values()].map(({ property, conditions, defined, checks, nested }) => ({
    property,
    conditions,
    checks: [...defined, ...checks],
    nested,
  }));
}

function rulesOf(type: object): PropertyRules[] | null {
  let rules = rulesByClass.get(type);
  if (rules === undefined) {
    rules = compileRules(type);
    rulesByClass.set(type, rules);
  }
  return rules;
}

function isThenable(value: unknown): boolean {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

/** True when every constraint of `checks` accepts `value` synchronously (async constraints are skipped, as `validateSync` does). */
function checksPass(checks: ValidationMetadata[], object: Record<string, unknown>, value: unknown): boolean {
  for (const metadata of checks) {
    if (metadata.validateIf && !metadata.validateIf(object, value)) continue;
    for (const constraint of storage.getTargetValidatorConstraints(metadata.constraintCls)) {
      if (constraint.async) continue;
      const args = {
        targetName: object.constructor ? object.constructor.name : undefined,
        property: metadata.propertyName,
        object,
        value,
        constraints: metadata.constraints,
      } as ValidationArguments;
      if (metadata.each && (Array.isArray(value) || value instanceof Set || value instanceof Map)) {
        const items: unknown[] = value instanceof Map ? Array.from(value.values()) : Array.isArray(value) ? value : Array.from(value);
        const results = items.map((item) => constraint.instance.validate(item, args));
        if (results.some(isThenable) || !results.every(Boolean)) return false;
      } else {
        const result = constraint.instance.validate(value, args);
        if (isThenable(result) || !result) return false;
      }
    }
  }
  return true;
}

/** `@ValidateNested` on `value`: arrays, sets and maps item by item (undefined items pass), objects by their own rules. */
function nestedValid(value: unknown): boolean {
  if (Array.isArray(value) || value instanceof Set || value instanceof Map) {
    let valid = true;
    value.forEach((item: unknown) => {
      if (valid && item !== undefined && !nestedValid(item)) valid = false;
    });
    return valid;
  }
  return value instanceof Object && objectValid(value);
}

function objectValid(object: object): boolean {
  const type = object.constructor;
  const rules = typeof type === 'function' ? rulesOf(type) : null;
  // No rules: forbidUnknownValues rejects the object.
  if (!rules || rules.length === 0) return false;
  const record = object as Record<string, unknown>;
  for (const { property, conditions, checks, nested } of rules) {
    const value = record[property];
    let applies = true;
    for (const condition of conditions) applies = (condition.constraints[0] as (o: object, v: unknown) => boolean)(object, value) && applies;
    if (!applies) continue;
    if (!checksPass(checks, record, value)) return false;
    if (nested && value !== undefined && !nestedValid(value)) return false;
  }
  return true;
}

/**
 * True when class-validator's `validateSync` (forbidUnknownValues, no groups) reports no violation
 * for `event`, judged with each class's metadata read once instead of on every object. False when
 * it would report one, or when this check cannot tell (promise validation, unusual property
 * names, constraints answering with a promise): then only `validateSync` can answer.
 */
export function passesValidation(event: object): boolean {
  return objectValid(event);
}
