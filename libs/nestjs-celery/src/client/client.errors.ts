/** `AsyncResult.get()` waited longer than its timeout. The task may still finish; call `get()` again. */
export class CeleryTimeoutError extends Error {
  override readonly name = 'CeleryTimeoutError';

  constructor(
    /** The task that did not answer in time. */
    readonly taskId: string,
    /** How long `get()` waited, in milliseconds. */
    readonly timeoutMs: number,
  ) {
    super(`task ${taskId} gave no result within ${timeoutMs} ms; it may still run (call get() again to keep waiting)`);
  }
}
