/**
 * A Celery signature as it travels on the wire (`celery.canvas.Signature` as a dict).
 * These six keys are all there is in Celery 5.2.
 */
export interface SignatureDict {
  task: string;
  args: unknown[];
  kwargs: Record<string, unknown>;
  options: SignatureOptions;
  subtask_type: string | null;
  immutable: boolean;
  /** Celery tolerates extra keys (e.g. `chord_size` in newer versions); they are kept, not used. */
  [extra: string]: unknown;
}

/** The `options` keys of a signature that matter on the wire. */
export interface SignatureOptions {
  task_id?: string;
  reply_to?: string;
  queue?: string | { name?: string; [key: string]: unknown };
  exchange?: string | { name?: string; [key: string]: unknown };
  routing_key?: string;
  priority?: number;
  countdown?: number;
  eta?: string;
  expires?: string | number;
  link?: SignatureDict | SignatureDict[];
  link_error?: SignatureDict | SignatureDict[];
  chain?: SignatureDict[];
  group_id?: string;
  group_index?: number;
  root_id?: string;
  parent_id?: string;
  headers?: Record<string, unknown>;
  time_limit?: number;
  soft_time_limit?: number;
  shadow?: string;
  ignore_result?: boolean;
  [key: string]: unknown;
}

/** Builds a signature dict for `task` (`task.s(*args, **kwargs)` in Python). */
export function createSignature(
  task: string,
  args: unknown[] = [],
  kwargs: Record<string, unknown> = {},
  options: SignatureOptions = {},
  immutable = false,
): SignatureDict {
  return { task, args, kwargs, options, subtask_type: null, immutable };
}

/**
 * Arguments a signature is applied with when a parent result is passed in
 * (`Signature._merge`): `[parent, ...args]` unless the signature is immutable (`.si()`).
 */
export function mergeSignatureArgs(signature: SignatureDict, parentArgs: unknown[]): unknown[] {
  const own = Array.isArray(signature.args) ? signature.args : [];
  return signature.immutable ? own : [...parentArgs, ...own];
}

/** True when the value looks like a signature dict (an object with a string `task`). */
export function isSignatureDict(value: unknown): value is SignatureDict {
  return typeof value === 'object' && value !== null && typeof (value as { task?: unknown }).task === 'string';
}

/** Reads a queue or exchange option that may be a name or a kombu entity dict. */
export function entityName(value: SignatureOptions['queue']): string | undefined {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && typeof value.name === 'string') return value.name;
  return undefined;
}
