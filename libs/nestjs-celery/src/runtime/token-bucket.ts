/** Seconds on a monotonic clock. */
export type MonotonicClock = () => number;

const monotonic: MonotonicClock = () => performance.now() / 1000;

/**
 * kombu's `TokenBucket` (`kombu/utils/limits.py`), as Celery's worker uses it for rate limits:
 * refilled at `fillRate` tokens per second up to `capacity` (Celery uses 1: no bursts), starting
 * full. `contents` holds what waits for a token, in arrival order.
 */
export class TokenBucket<T> {
  /** What waits for a token, oldest first. */
  readonly contents: T[] = [];
  private tokens: number;
  private timestamp: number;

  constructor(
    /** Tokens per second. */
    readonly fillRate: number,
    readonly capacity = 1,
    private readonly clock: MonotonicClock = monotonic,
  ) {
    this.tokens = capacity;
    this.timestamp = clock();
  }

  /** Takes `tokens` when there are that many (and returns true), else takes none. */
  canConsume(tokens = 1): boolean {
    if (tokens <= this.currentTokens()) {
      this.tokens -= tokens;
      return true;
    }
    return false;
  }

  /** Seconds until `tokens` are available (0 when they are). */
  expectedTime(tokens = 1): number {
    const available = this.currentTokens();
    return (Math.max(tokens, available) - available) / this.fillRate;
  }

  private currentTokens(): number {
    if (this.tokens < this.capacity) {
      const now = this.clock();
      this.tokens = Math.min(this.capacity, this.tokens + this.fillRate * (now - this.timestamp));
      this.timestamp = now;
    }
    return this.tokens;
  }
}
