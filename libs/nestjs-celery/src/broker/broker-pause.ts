/**
 * An unref'd pause: a connection's own retries do not keep Node alive. An idle client may let its
 * process exit while the broker is down; a waiting operation keeps it alive through its connect
 * timeout, and a listening `ServerCelery` holds the process for as long as it is meant to run.
 */
export function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref?.());
}

/** An error's message, or the value itself as text. */
export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
