import { pythonRepr } from '../protocol/python-repr.js';
import type { TaskRequest } from '../protocol/task-message.js';
import type { DeliveryInfo } from '../runtime/celery-context.js';

/** Celery's `Request.info()`: one entry of `inspect active`, `reserved` and `query_task`. */
export interface RequestInfo {
  id: string;
  name: string;
  args: unknown;
  kwargs: unknown;
  type: string;
  hostname: string;
  /** Unix time in seconds when the task started; null while it waits (reserved or scheduled). */
  time_start: number | null;
  acknowledged: boolean;
  delivery_info: DeliveryInfo;
  /** The process running the task; null while it waits. */
  worker_pid: number | null;
}

/** One entry of `inspect scheduled`: a task held until its ETA. */
export interface ScheduledRequestInfo {
  /** The ETA as Python's `isoformat()`. */
  eta: string;
  priority: number;
  request: RequestInfo;
}

/** Where `query_task` finds a request: running, waiting for a slot, or held for its ETA. */
export type RequestState = 'active' | 'reserved' | 'scheduled';

/** Celery's `Request.argsrepr`: the sender's `argsrepr` header, else the args' Python repr (compact headers leave it out). */
export function argsRepr(request: TaskRequest): string {
  const sent = request.headers.argsrepr;
  return typeof sent === 'string' ? sent : pythonRepr(request.args, true);
}

/** Celery's `Request.kwargsrepr`: the sender's `kwargsrepr` header, else the kwargs' Python repr. */
export function kwargsRepr(request: TaskRequest): string {
  const sent = request.headers.kwargsrepr;
  return typeof sent === 'string' ? sent : pythonRepr(request.kwargs);
}

/** Where a request is in the worker, as {@link requestInfo} reports it. */
export interface RequestProgress {
  hostname: string;
  deliveryInfo: DeliveryInfo;
  /** `Date.now()` when it started running; undefined while it waits. */
  startedAt?: number;
  acknowledged: boolean;
}

/** `Request.info(safe)`: with `safe`, args and kwargs are repr strings. */
export function requestInfo(request: TaskRequest, progress: RequestProgress, safe = false): RequestInfo {
  const running = progress.startedAt !== undefined;
  return {
    id: request.id,
    name: request.task,
    args: safe ? argsRepr(request) : request.args,
    kwargs: safe ? kwargsRepr(request) : request.kwargs,
    type: request.task,
    hostname: progress.hostname,
    time_start: running ? progress.startedAt! / 1000 : null,
    acknowledged: progress.acknowledged,
    delivery_info: progress.deliveryInfo,
    worker_pid: running ? process.pid : null,
  };
}
