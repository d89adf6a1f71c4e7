/** Celery's `REVOKES_MAX`: how many revoked ids a worker remembers. */
export const REVOKES_MAX = 50_000;

/** Celery's `REVOKE_EXPIRES`: how long a revoked id is remembered, in seconds (3 h). */
export const REVOKE_EXPIRES_SECONDS = 10_800;

/** Seconds on the monotonic clock Python's `time.monotonic()` reads (CLOCK_MONOTONIC on Linux). */
export function monotonicSeconds(): number {
  return Number(process.hrtime.bigint()) / 1e9;
}

/** Options of a {@link RevokedRegistry}. */
export interface RevokedRegistryOptions {
  /** Most ids kept; the oldest go first. Default {@link REVOKES_MAX}. */
  maxSize?: number;
  /** Seconds an id is kept. Default {@link REVOKE_EXPIRES_SECONDS}. */
  expiresSeconds?: number;
  /** Clock in seconds (tests). Default {@link monotonicSeconds}. */
  now?: () => number;
}

/**
 * The worker's revoked task ids, bounded like Celery's `worker_state.revoked` (a `LimitedSet` of
 * 50 000 ids kept 3 h). A revoked id that arrives is answered REVOKED and never run.
 * Insertion order is time order, so the oldest entries are purged from the front of the map.
 */
export class RevokedRegistry {
  private readonly entries = new Map<string, number>();
  private readonly maxSize: number;
  private readonly expires: number;
  private readonly now: () => number;

  constructor(options: RevokedRegistryOptions = {}) {
    this.maxSize = options.maxSize ?? REVOKES_MAX;
    this.expires = options.expiresSeconds ?? REVOKE_EXPIRES_SECONDS;
    this.now = options.now ?? monotonicSeconds;
  }

  /** Number of ids remembered (expired ones may linger until the next purge). */
  get size(): number {
    return this.entries.size;
  }

  /** True when `id` was revoked and has not expired. Cheap when nothing was ever revoked. */
  has(id: string): boolean {
    if (this.entries.size === 0) return false;
    const at = this.entries.get(id);
    return at !== undefined && this.now() - at < this.expires;
  }

  /** Remembers ids (again, with a fresh time). `at` is the revoke time in monotonic seconds. */
  add(ids: Iterable<string>, at = this.now()): void {
    for (const id of ids) {
      this.entries.delete(id);
      this.entries.set(id, at);
    }
    this.purge();
  }

  /**
   * Takes ids from another worker's `hello` reply or request: Celery sends `{id: ts}` or
   * `{id: [ts, id]}` (a `LimitedSet._data`), or a plain list.
   */
  merge(revoked: unknown): void {
    if (Array.isArray(revoked)) {
      this.add(revoked.filter((id): id is string => typeof id === 'string'));
      return;
    }
    if (typeof revoked !== 'object' || revoked === null) return;
    const now = this.now();
    const items = Object.entries(revoked as Record<string, unknown>)
      .map(([id, value]) => [id, Array.isArray(value) ? value[0] : value] as const)
      .filter((item): item is readonly [string, number] => typeof item[1] === 'number' && Number.isFinite(item[1]))
      // Another host's monotonic clock may run ahead of ours: such entries count from now.
      .map(([id, at]) => [id, Math.min(at, now)] as const)
      .filter(([, at]) => now - at < this.expires)
      .sort((a, b) => a[1] - b[1]);
    for (const [id, at] of items) {
      const known = this.entries.get(id);
      if (known === undefined || known < at) {
        this.entries.delete(id);
        this.entries.set(id, at);
      }
    }
    this.purge();
  }

  /** The ids, oldest first (Celery's `inspect revoked`). */
  ids(): string[] {
    this.purge();
    return [...this.entries.keys()];
  }

  /**
   * The ids with their revoke times as Celery's `hello` reply sends them (`LimitedSet._data`:
   * `{id: [ts, id]}`). Python insists on float timestamps, so an integral one gets a fraction.
   */
  toHelloData(): Record<string, [number, string]> {
    this.purge();
    const data: Record<string, [number, string]> = {};
    for (const [id, at] of this.entries) data[id] = [Number.isInteger(at) ? at + 1e-6 : at, id];
    return data;
  }

  /** Drops expired ids and the oldest beyond the size limit. */
  purge(): void {
    const oldestKept = this.now() - this.expires;
    for (const [id, at] of this.entries) {
      if (this.entries.size <= this.maxSize && at > oldestKept) break;
      this.entries.delete(id);
    }
  }
}
