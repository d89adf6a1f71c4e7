import type { MemoryBroker } from '../broker/memory/memory-broker.js';
import type { MemoryVhost } from '../broker/memory/memory-vhost.js';

/** Options of {@link awaitIdle}. */
export interface AwaitIdleOptions {
  /** Queues to watch. Default: every queue of the vhost. */
  queues?: string[];
  /** Milliseconds before {@link AwaitIdleTimeoutError}. Default 5000. */
  timeoutMs?: number;
  /** How long the queues must stay empty to count as idle (work may be in flight between queues). Default 20 ms. */
  quietMs?: number;
}

/** The queues did not become idle in time; the message lists the busy ones. */
export class AwaitIdleTimeoutError extends Error {
  override readonly name = 'AwaitIdleTimeoutError';
}

const POLL_MS = 5;

/**
 * Resolves once the queues have no ready and no unacknowledged message (staying so for
 * `quietMs`): every message published so far was handled, including follow-up tasks, events and
 * ETA tasks the worker holds. With `acksLate: false` a task counts as handled when it starts.
 * Useful for handlers that return nothing to wait for (events, `ignoreResult` tasks).
 */
export function awaitIdle(source: MemoryBroker | MemoryVhost, options: AwaitIdleOptions = {}): Promise<void> {
  const vhost = 'vhost' in source ? source.vhost : source;
  const { timeoutMs = 5000, quietMs = 20 } = options;
  const deadline = Date.now() + timeoutMs;
  const busy = () =>
    (options.queues ?? vhost.queueNames())
      .map((name) => vhost.inspectQueue(name))
      .filter((stats) => stats !== undefined && stats.ready + stats.unacked > 0)
      .map((stats) => `${stats!.name} (${stats!.ready} ready, ${stats!.unacked} unacked)`);
  return new Promise((resolve, reject) => {
    let idleSince: number | undefined;
    const check = () => {
      const now = Date.now();
      const working = busy();
      if (working.length === 0) {
        idleSince ??= now;
        if (now - idleSince >= quietMs) return resolve();
      } else idleSince = undefined;
      if (now > deadline) {
        return reject(new AwaitIdleTimeoutError(`queues still busy after ${timeoutMs} ms: ${working.join(', ') || 'none (not quiet long enough)'}`));
      }
      setTimeout(check, POLL_MS);
    };
    check();
  });
}
