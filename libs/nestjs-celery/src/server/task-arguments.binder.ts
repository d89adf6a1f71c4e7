import type { CeleryTaskOptions } from './celery-task.options.js';

/** Arguments as handed to a task handler. */
export interface CeleryTaskPayload {
  args: unknown[];
  kwargs: Record<string, unknown>;
}

/** A Python `TypeError` raised when a call does not fit the task's parameters. */
export class TaskArgumentsError extends TypeError {
  override readonly name = 'TypeError';
}

interface ParsedParams {
  positional: { name: string; optional: boolean }[];
  varArgs: boolean;
  varKwargs: boolean;
}

const parsed = new WeakMap<string[], ParsedParams>();

function parseParams(params: string[]): ParsedParams {
  let result = parsed.get(params);
  if (result) return result;
  result = { positional: [], varArgs: false, varKwargs: false };
  for (const raw of params) {
    if (raw.startsWith('**')) result.varKwargs = true;
    else if (raw.startsWith('*')) result.varArgs = true;
    else result.positional.push({ name: raw.replace(/\?$/, ''), optional: raw.endsWith('?') });
  }
  parsed.set(params, result);
  return result;
}

/**
 * Binds keyword arguments to positions following Python's rules for the task's `params`:
 * `add(x=1, y=2)` becomes `args [1, 2]`. Throws {@link TaskArgumentsError} (Python's `TypeError`)
 * for missing, duplicate, surplus or unexpected arguments.
 */
export function bindTaskArguments(
  task: string,
  args: unknown[],
  kwargs: Record<string, unknown>,
  options: CeleryTaskOptions | undefined,
): CeleryTaskPayload {
  if (!options?.params) return { args, kwargs };
  const spec = parseParams(options.params);
  const shortName = task.slice(task.lastIndexOf('.') + 1);
  const names = spec.positional;
  // Python checks the keyword arguments first (in the order given), then the positional count.
  for (const key of Object.keys(kwargs)) {
    const index = names.findIndex((p) => p.name === key);
    if (index === -1 && !spec.varKwargs) throw new TaskArgumentsError(`${shortName}() got an unexpected keyword argument '${key}'`);
    if (index !== -1 && index < args.length) throw new TaskArgumentsError(`${shortName}() got multiple values for argument '${key}'`);
  }
  if (args.length > names.length && !spec.varArgs) {
    const required = names.filter((p) => !p.optional).length;
    const takes =
      required === names.length
        ? `${names.length} positional argument${names.length === 1 ? '' : 's'}`
        : `from ${required} to ${names.length} positional arguments`;
    throw new TaskArgumentsError(`${shortName}() takes ${takes} but ${args.length} ${args.length === 1 ? 'was' : 'were'} given`);
  }
  const bound = args.slice();
  const rest: Record<string, unknown> = { ...kwargs };
  for (let i = 0; i < names.length; i++) {
    const { name, optional } = names[i]!;
    if (i < args.length) continue;
    if (Object.hasOwn(rest, name)) {
      bound[i] = rest[name];
      delete rest[name];
    } else if (optional) {
      bound[i] = undefined;
    } else {
      const missing = names.slice(i).filter((p) => !p.optional && !Object.hasOwn(rest, p.name)).map((p) => `'${p.name}'`);
      const list = missing.length <= 2 ? missing.join(' and ') : `${missing.slice(0, -1).join(', ')}, and ${missing[missing.length - 1]}`;
      throw new TaskArgumentsError(
        `${shortName}() missing ${missing.length} required positional argument${missing.length > 1 ? 's' : ''}: ${list}`,
      );
    }
  }
  // trailing optional parameters that were not given stay absent
  while (bound.length > args.length && bound[bound.length - 1] === undefined) bound.pop();
  return { args: bound, kwargs: rest };
}
