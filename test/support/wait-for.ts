/** Options of {@link waitFor}. */
export interface WaitForOptions {
  /** Give up after this many ms. Default 10 000 (generous: the suite runs on loaded 2-core machines). */
  timeout?: number;
  /** Poll every this many ms. Default 20. */
  interval?: number;
  /** What is awaited, named in the timeout error. */
  what?: string;
}

/** `T` without its falsy members: what {@link waitFor} resolves with. */
export type Truthy<T> = Exclude<T, false | 0 | '' | null | undefined>;

/** {@link waitFor} gave up: the condition did not hold in time. */
export class WaitForTimeoutError extends Error {
  override readonly name = 'WaitForTimeoutError';
}

/**
 * Polls `predicate` until it returns a truthy value and resolves with that value; rejects with
 * {@link WaitForTimeoutError} after `timeout` ms. Waits on the real condition instead of a fixed
 * sleep, so a test holds on a slow machine and finishes early on a fast one.
 */
export async function waitFor<T>(predicate: () => T | Promise<T>, options: WaitForOptions = {}): Promise<Truthy<T>> {
  const { timeout = 10_000, interval = 20, what = 'the condition' } = options;
  const deadline = Date.now() + timeout;
  for (;;) {
    const value = await predicate();
    if (value) return value as Truthy<T>;
    if (Date.now() >= deadline) throw new WaitForTimeoutError(`waitFor: ${what} did not hold within ${timeout} ms`);
    await new Promise((resolve) => setTimeout(resolve, interval));
  }
}
