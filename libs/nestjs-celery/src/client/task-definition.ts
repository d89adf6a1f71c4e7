import type { AsyncResult } from './async-result.js';
import type { SendTaskOptions } from '../producer/send-task.options.js';
import { createSignature, type SignatureDict } from '../protocol/signature.js';
import { sendOptionsToSignature } from '../producer/signature-options.js';

/** What a definition binds to: anything that sends a task by name (a `CeleryClient`). */
export interface TaskSender {
  sendTask<T = unknown>(name: string, args?: unknown[], kwargs?: Record<string, unknown>, options?: SendTaskOptions): Promise<AsyncResult<T>>;
}

/** A task bound to a client: typed `.delay()` and `.applyAsync()`. */
export interface TaskProxy<A extends unknown[], R> {
  readonly name: string;
  /** Sends the task with positional arguments (`task.delay(*args)`). */
  delay(...args: A): Promise<AsyncResult<R>>;
  /** Sends the task with arguments, keyword arguments and options (`task.apply_async`). */
  applyAsync(args: A, kwargs?: Record<string, unknown>, options?: SendTaskOptions): Promise<AsyncResult<R>>;
  /** Sends and waits for the result in one call. */
  call(args: A, options?: SendTaskOptions & { timeout?: number }): Promise<R>;
}

/**
 * A task's shared signature: its name, argument and result types and default route, without its
 * code. Keep definitions in a contracts library that callers and workers both import.
 */
export interface TaskDefinition<A extends unknown[], R> {
  readonly name: string;
  readonly defaults: SendTaskOptions;
  /**
   * A signature for canvas use (`task.s(*args)`); options override the defaults. Arguments may be
   * partial: in a chain or link the parent's result is put before them.
   */
  s(args?: Partial<A>, options?: SendTaskOptions): SignatureDict;
  /** An immutable signature (`task.si(*args)`): a chain does not prepend the parent result. */
  si(args: A, options?: SendTaskOptions): SignatureDict;
  /** Binds the definition to a client. */
  bind(client: TaskSender): TaskProxy<A, R>;
}

/**
 * Defines a typed task proxy: `defineTask<[x: number, y: number], number>('interop.add', { queue: 'interop' })`.
 * Then `await client.task(add).delay(2, 3)` resolves with an `AsyncResult<number>`.
 */
export function defineTask<A extends unknown[] = unknown[], R = unknown>(
  name: string,
  defaults: SendTaskOptions = {},
): TaskDefinition<A, R> {
  return {
    name,
    defaults,
    s: (args, options = {}) => createSignature(name, (args ?? []) as unknown[], {}, sendOptionsToSignature({ ...defaults, ...options })),
    si: (args, options = {}) => createSignature(name, args, {}, sendOptionsToSignature({ ...defaults, ...options }), true),
    bind: (client) => ({
      name,
      delay: (...args: A) => client.sendTask<R>(name, args, {}, defaults),
      applyAsync: (args: A, kwargs = {}, options = {}) => client.sendTask<R>(name, args, kwargs, { ...defaults, ...options }),
      call: async (args: A, options = {}) => {
        const { timeout, ...rest } = options;
        const result = await client.sendTask<R>(name, args, {}, { ...defaults, ...rest });
        return result.get({ timeout });
      },
    }),
  };
}
