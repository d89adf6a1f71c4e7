import type { AsyncResult } from './async-result.js';
import type { CeleryClient } from './celery-client.js';
import { CeleryInvalidCallError } from '../producer/producer.errors.js';
import type { SendTaskOptions } from '../producer/send-task.options.js';
import type { TaskDefinition } from './task-definition.js';

/** One version of a task in a {@link VersionedTask}: its definition and which calls it can take. */
export interface TaskVersion<A extends unknown[] = any[], R = unknown> {
  definition: TaskDefinition<A, R>;
  /** Version number. Default: the name's `_v<N>` suffix (`pusher.send_to_s3_v2` → 2), else 1. */
  version?: number;
  /** Argument count this version accepts, or `[min, max]` (after nothing is adapted). Default: any. */
  arity?: number | readonly [number, number];
  /** Whether a caller's arguments fit this version. Default: the count is within `arity`. */
  accepts?: (args: readonly unknown[]) => boolean;
  /** Turns a caller's arguments into this version's, e.g. fills in a new parameter's default. */
  adapt?: (args: readonly unknown[]) => A;
}

/** Which versions may be picked: `version` pins one; `maxVersion` caps (e.g. until every worker has the newer one). */
export interface VersionPolicy {
  version?: number;
  maxVersion?: number;
}

/** The version a call goes to, with its arguments in that version's shape. */
export interface VersionChoice {
  version: number;
  name: string;
  args: unknown[];
  definition: TaskDefinition<any[], unknown>;
}

type ArgsOf<V> = V extends TaskVersion<infer A, unknown> ? A : never;
type ResultOf<V> = V extends TaskVersion<any[], infer R> ? R : never;

/** A versioned task bound to a client: every call goes to the newest version that fits it (and the policy). */
export interface VersionedTaskProxy<A extends unknown[], R> {
  delay(...args: A): Promise<AsyncResult<R>>;
  applyAsync(args: A, kwargs?: Record<string, unknown>, options?: SendTaskOptions): Promise<AsyncResult<R>>;
  call(args: A, options?: SendTaskOptions & { timeout?: number }): Promise<R>;
}

/** A task published in several versions side by side (`send_to_s3`, `send_to_s3_v2`). */
export interface VersionedTask<A extends unknown[], R> {
  /** Version numbers, newest first. */
  readonly versions: readonly number[];
  /** Picks the version for these arguments. @throws CeleryInvalidCallError when none fits */
  select(args: readonly unknown[], policy?: VersionPolicy): VersionChoice;
  /** Binds to a client, with a policy (default: the newest version that fits). */
  bind(client: CeleryClient, policy?: VersionPolicy): VersionedTaskProxy<A, R>;
}

const VERSION_SUFFIX = /_v(\d+)$/;

function describeArity(arity: TaskVersion['arity']): string {
  if (arity === undefined) return 'any arguments';
  const [min, max] = typeof arity === 'number' ? [arity, arity] : arity;
  return min === max ? `${min} argument(s)` : `${min}-${max} arguments`;
}

/**
 * Delegation over task versions, so a breaking change (a v2 with a new parameter) does not break
 * callers: each call goes to the newest version whose `accepts`/`arity` fits the caller's
 * arguments (adapted by that version's `adapt`), within the policy. Old callers keep working,
 * and `maxVersion` holds everyone on v1 until the workers run v2.
 *
 * ```ts
 * const sendToS3 = versionedTask(
 *   { definition: sendToS3V1, arity: 2 },
 *   { definition: sendToS3V2, arity: [2, 3], adapt: ([key, content, type]) => [key, content, type ?? 'application/octet-stream'] },
 * );
 * await sendToS3.bind(client).delay('k', 'body');                 // → pusher.send_to_s3_v2('k', 'body', 'application/octet-stream')
 * await sendToS3.bind(client, { maxVersion: 1 }).delay('k', 'body'); // → pusher.send_to_s3('k', 'body')
 * ```
 */
export function versionedTask<V extends TaskVersion<any[], any>[]>(...versions: V): VersionedTask<ArgsOf<V[number]>, ResultOf<V[number]>> {
  if (versions.length === 0) throw new CeleryInvalidCallError('versionedTask() needs at least one version');
  const entries = versions
    .map((entry) => {
      const version = entry.version ?? Number(VERSION_SUFFIX.exec(entry.definition.name)?.[1] ?? 1);
      const [min, max] = entry.arity === undefined ? [0, Infinity] : typeof entry.arity === 'number' ? [entry.arity, entry.arity] : entry.arity;
      const accepts = entry.accepts ?? ((args: readonly unknown[]) => args.length >= min && args.length <= max);
      return { entry, version, accepts };
    })
    .sort((a, b) => b.version - a.version);
  for (let i = 1; i < entries.length; i++) {
    if (entries[i]!.version === entries[i - 1]!.version) {
      throw new CeleryInvalidCallError(`versionedTask(): version ${entries[i]!.version} given twice (${entries[i]!.entry.definition.name})`);
    }
  }
  const select = (args: readonly unknown[], policy: VersionPolicy = {}): VersionChoice => {
    for (const { entry, version, accepts } of entries) {
      if (policy.version !== undefined && version !== policy.version) continue;
      if (policy.maxVersion !== undefined && version > policy.maxVersion) continue;
      if (!accepts(args)) continue;
      return { version, name: entry.definition.name, args: entry.adapt ? entry.adapt(args) : [...args], definition: entry.definition };
    }
    const known = entries.map(({ entry, version }) => `v${version} ${entry.definition.name} (${describeArity(entry.arity)})`).join(', ');
    throw new CeleryInvalidCallError(
      `no version of ${entries[entries.length - 1]!.entry.definition.name} fits ${args.length} argument(s)` +
        `${policy.version !== undefined ? ` with version ${policy.version}` : ''}${policy.maxVersion !== undefined ? ` up to version ${policy.maxVersion}` : ''}; ` +
        `versions: ${known}`,
    );
  };
  return {
    versions: entries.map((e) => e.version),
    select,
    bind: (client, policy) => {
      const send = async (args: readonly unknown[], kwargs: Record<string, unknown> = {}, options: SendTaskOptions = {}) => {
        const choice = select(args, policy);
        return client.sendTask(choice.name, choice.args, kwargs, { ...choice.definition.defaults, ...options });
      };
      return {
        delay: (...args) => send(args) as Promise<AsyncResult<never>>,
        applyAsync: (args, kwargs, options) => send(args, kwargs, options) as Promise<AsyncResult<never>>,
        call: async (args, options = {}) => {
          const { timeout, ...rest } = options;
          return (await send(args, {}, rest)).get({ timeout }) as Promise<never>;
        },
      };
    },
  };
}
