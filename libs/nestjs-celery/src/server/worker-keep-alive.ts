/** Longest interval Node accepts; the timer never needs to fire, it only has to exist. */
const IDLE_INTERVAL_MS = 2_147_483_647;

/**
 * Keeps the Node process alive while a worker is meant to run. A connected worker is held up by
 * its socket, but while the broker is gone there is no socket, and the reconnect and heartbeat
 * timers are unref'd (so an idle client never holds a process): without this handle a broker
 * restart let the event loop empty and the worker exit with code 0.
 */
export class WorkerKeepAlive {
  private timer?: NodeJS.Timeout;

  /** Holds the process alive until {@link release}. Idempotent. */
  hold(): void {
    this.timer ??= setInterval(() => undefined, IDLE_INTERVAL_MS);
  }

  /** Lets the process exit once nothing else keeps it alive. Idempotent. */
  release(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** True while held. */
  get held(): boolean {
    return this.timer !== undefined;
  }
}
