import { parseTaskRate, type TaskRate } from './task-rate.js';
import { TokenBucket, type MonotonicClock } from './token-bucket.js';

/** How a wait for a rate-limit token ended: `go` runs the task, `closed` means the worker is stopping. */
export type RateLimitTurn = 'go' | 'closed';

type Waiter = (turn: RateLimitTurn) => void;

/** The rate limit a task was registered with, or undefined when no such task is registered. */
export type RegisteredRate = (task: string) => { rate?: TaskRate } | undefined;

/**
 * A worker's rate limits, per task name, with Celery's semantics (`worker/consumer/consumer.py`):
 * one token bucket of capacity 1 per rate-limited task, filled at the task's rate; a task message
 * waits in its bucket (received and unacknowledged, not requeued) until a token is there, oldest
 * first, then goes on to the concurrency slots. Changing a rate (`rate_limit` control command)
 * gives every task a fresh bucket, as Celery's `reset_rate_limits()`; tasks already waiting
 * finish their wait in the old one.
 */
export class TaskRateLimits {
  /** Rates set at run time (`rate_limit`), over the registered ones; `null` = limit removed. */
  private readonly overrides = new Map<string, TaskRate | null>();
  private readonly buckets = new Map<string, TokenBucket<Waiter> | null>();
  private readonly timers = new Set<NodeJS.Timeout>();
  /** Buckets with a wake-up timer set: one timer per bucket, however many tasks wait in it. */
  private readonly sleeping = new WeakSet<TokenBucket<Waiter>>();
  private readonly waiting = new Set<Waiter>();
  private closed = false;

  constructor(
    private readonly registered: RegisteredRate,
    private readonly clock?: MonotonicClock,
  ) {}

  /** The task's current rate limit as given (`'10/m'`), or undefined when it has none. */
  rateOf(task: string): TaskRate | undefined {
    const rate = this.overrides.has(task) ? this.overrides.get(task) : this.registered(task)?.rate;
    return rate || undefined;
  }

  /** True when a task of that name is registered. */
  knows(task: string): boolean {
    return this.registered(task) !== undefined;
  }

  /**
   * Sets a task's rate limit at run time (an empty rate removes it). Throws `InvalidTaskRateError`
   * for a rate Celery's `rate()` cannot read, before changing anything.
   */
  set(task: string, rate: TaskRate | null): void {
    parseTaskRate(rate);
    this.overrides.set(task, rate || null);
    this.buckets.clear();
  }

  /**
   * Waits for the task's turn: undefined when the task has no rate limit (run it now), else a
   * promise of `go` once a token was taken, or `closed` when {@link close} ended the wait.
   */
  take(task: string): Promise<RateLimitTurn> | undefined {
    const bucket = this.bucketOf(task);
    if (!bucket) return undefined;
    return new Promise<RateLimitTurn>((resolve) => {
      this.waiting.add(resolve);
      bucket.contents.push(resolve);
      if (!this.sleeping.has(bucket)) this.schedule(bucket);
    });
  }

  /** Ends every wait with `closed` (the worker hands those messages back) and refuses no later ones. */
  close(): void {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const waiter of this.waiting) waiter('closed');
    this.waiting.clear();
    this.buckets.clear();
  }

  private bucketOf(task: string): TokenBucket<Waiter> | null {
    let bucket = this.buckets.get(task);
    if (bucket === undefined) {
      const perSecond = this.closed ? 0 : parseTaskRate(this.rateOf(task));
      bucket = perSecond > 0 ? new TokenBucket<Waiter>(perSecond, 1, this.clock) : null;
      this.buckets.set(task, bucket);
    }
    return bucket;
  }

  /** Celery's `_schedule_bucket_request`: lets waiters go while there are tokens, then sleeps until the next one. */
  private schedule(bucket: TokenBucket<Waiter>): void {
    while (bucket.contents.length > 0) {
      if (!bucket.canConsume(1)) {
        this.sleeping.add(bucket);
        const timer = setTimeout(() => {
          this.timers.delete(timer);
          this.sleeping.delete(bucket);
          this.schedule(bucket);
        }, bucket.expectedTime(1) * 1000);
        this.timers.add(timer);
        return;
      }
      const waiter = bucket.contents.shift()!;
      this.waiting.delete(waiter);
      waiter('go');
    }
  }
}
