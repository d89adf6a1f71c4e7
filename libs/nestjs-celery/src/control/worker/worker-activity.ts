import type { Delivery } from '../../broker/delivery.js';
import { toCeleryIsoString } from '../../protocol/iso-time.js';
import type { TaskRequest } from '../../protocol/task-message.js';
import { deliveryInfoOf, type CeleryContext } from '../../runtime/celery-context.js';
import { requestInfo, type RequestInfo, type RequestState, type ScheduledRequestInfo } from '../request-info.js';

/** Celery's timer priority of an ETA entry (`call_at(eta, apply_eta_task, priority=6)`), shown by `inspect scheduled`. */
const ETA_ENTRY_PRIORITY = 6;


/**
 * What the worker is doing, for `inspect active`, `reserved`, `scheduled`, `query_task` and
 * `stats`: the requests received and not yet finished (waiting for their ETA or a free slot),
 * the running ones with their start times and, per task name, how many were started
 * (Celery's `total_count`). Per task this costs a map insert and delete for each stage; the
 * replies are built only when asked.
 */
export class WorkerActivity {
  private readonly started = new Map<CeleryContext, number>();
  /** Received and not finished: held for an ETA, waiting for a slot, or running (then also in `started`). */
  private readonly received = new Map<TaskRequest, Delivery>();
  private readonly totals = new Map<string, number>();
  private readonly terminated = new Set<string>();

  /** Records a request the worker took (Celery's `task_reserved`); it stays until {@link release}. */
  reserve(request: TaskRequest, delivery: Delivery): void {
    this.received.set(request, delivery);
  }

  /** Forgets a request that was run, discarded or handed back (Celery's `task_ready`). */
  release(request: TaskRequest): void {
    this.received.delete(request);
  }

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

  /** Requests running now. */
  get activeCount(): number {
    return this.started.size;
  }

  /** The contexts of every running request (the worker cancels them when its shutdown times out). */
  runningContexts(): IterableIterator<CeleryContext> {
    return this.started.keys();
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

  /** Tasks started so far, all names together (the `processed` of worker heartbeats). */
  processedCount(): number {
    let sum = 0;
    for (const count of this.totals.values()) sum += count;
    return sum;
  }

  /** `Request.info()` of every running request; `safe` gives args/kwargs as repr strings. */
  info(acknowledged: boolean, safe: boolean): RequestInfo[] {
    const out: RequestInfo[] = [];
    for (const [ctx, startedAt] of this.started) {
      out.push(requestInfo(ctx.request, { hostname: ctx.hostname, deliveryInfo: ctx.deliveryInfo, startedAt, acknowledged }, safe));
    }
    return out;
  }

  /** `Request.info()` of the requests waiting for a free slot (`inspect reserved`). */
  reserved(hostname: string): RequestInfo[] {
    return this.waiting('reserved').map(([request, delivery]) => this.waitingInfo(request, delivery, hostname));
  }

  /** The requests held for their ETA, shaped like Celery's `inspect scheduled`. */
  scheduled(hostname: string): ScheduledRequestInfo[] {
    return this.waiting('scheduled').map(([request, delivery]) => ({
      eta: toCeleryIsoString(request.eta!),
      priority: ETA_ENTRY_PRIORITY,
      request: this.waitingInfo(request, delivery, hostname),
    }));
  }

  /** `query_task`: `{ id: [state, info] }` for the ids this worker holds; unknown ids are left out. */
  query(ids: readonly string[], hostname: string, acknowledged: boolean): Record<string, [RequestState, RequestInfo]> {
    const wanted = new Set(ids);
    const found: Record<string, [RequestState, RequestInfo]> = {};
    const add = (state: RequestState, info: RequestInfo) => {
      if (wanted.has(info.id)) found[info.id] = [state, info];
    };
    for (const entry of this.scheduled(hostname)) add('scheduled', entry.request);
    for (const info of this.reserved(hostname)) add('reserved', info);
    for (const info of this.info(acknowledged, false)) add('active', info);
    return found;
  }

  /** Received requests not running, in the given stage. */
  private waiting(stage: 'reserved' | 'scheduled'): Array<[TaskRequest, Delivery]> {
    const runningRequests = new Set([...this.started.keys()].map((ctx) => ctx.request));
    const now = Date.now();
    return [...this.received].filter(
      ([request]) => !runningRequests.has(request) && isHeldForEta(request, now) === (stage === 'scheduled'),
    );
  }

  private waitingInfo(request: TaskRequest, delivery: Delivery, hostname: string): RequestInfo {
    return requestInfo(request, { hostname, deliveryInfo: deliveryInfoOf(request, delivery.message), acknowledged: false });
  }
}

function isHeldForEta(request: TaskRequest, now: number): boolean {
  return request.eta !== null && request.eta.getTime() > now;
}
