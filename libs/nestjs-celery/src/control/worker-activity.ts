import type { CeleryContext } from '../server/celery-context.js';

/** Celery's `Request.info()`: one entry of `inspect active`. */
export interface RequestInfo {
  id: string;
  name: string;
  args: unknown;
  kwargs: unknown;
  type: string;
  hostname: string;
  /** Unix time in seconds when the task started. */
  time_start: number;
  acknowledged: boolean;
  delivery_info: { exchange: string; routing_key: string; priority: number | null; redelivered: boolean };
  worker_pid: number;
}

/**
 * What the worker is doing, for `inspect active` and `inspect stats`: the running requests
 * with their start times and, per task name, how many were started (Celery's `total_count`).
 */
export class WorkerActivity {
  private readonly started = new Map<CeleryContext, number>();
  private readonly totals = new Map<string, number>();
  private readonly terminated = new Set<string>();

  /** Records a request that starts running. */
  start(ctx: CeleryContext): void {
    this.started.set(ctx, Date.now());
    this.totals.set(ctx.task, (this.totals.get(ctx.task) ?? 0) + 1);
  }

  /** Records a request that finished; true when it was terminated by `revoke(terminate=True)` meanwhile. */
  finish(ctx: CeleryContext): boolean {
    this.started.delete(ctx);
    return this.terminated.size > 0 && this.terminated.delete(ctx.id);
  }

  /** Running requests with these ids. */
  running(ids: ReadonlySet<string>): CeleryContext[] {
    return [...this.started.keys()].filter((ctx) => ids.has(ctx.id));
  }

  /** Marks a running request as terminated: its result becomes REVOKED `terminated`, whatever it returns. */
  markTerminated(id: string): void {
    this.terminated.add(id);
  }

  /** Tasks started so far, per name (Celery's `stats.total`). */
  totalCounts(): Record<string, number> {
    return Object.fromEntries(this.totals);
  }

  /** `Request.info()` of every running request; `safe` gives args/kwargs as repr strings. */
  info(acknowledged: boolean, safe: boolean): RequestInfo[] {
    const out: RequestInfo[] = [];
    for (const [ctx, startedAt] of this.started) {
      const { request } = ctx;
      out.push({
        id: request.id,
        name: request.task,
        args: safe ? (request.headers.argsrepr ?? null) : request.args,
        kwargs: safe ? (request.headers.kwargsrepr ?? null) : request.kwargs,
        type: request.task,
        hostname: ctx.hostname,
        time_start: startedAt / 1000,
        acknowledged,
        delivery_info: ctx.deliveryInfo,
        worker_pid: process.pid,
      });
    }
    return out;
  }
}
