import type { ControlBroadcaster, ControlTarget } from './broadcast.options.js';
import type { ControlOk, ControlReply } from '../control-message.js';
import type { KombuQueueInfo } from '../queue-info.js';
import { mergeReplies } from '../reply-map.js';
import type { RequestInfo, RequestState, ScheduledRequestInfo } from '../request-info.js';
import type { WorkerStats } from '../worker-stats.js';

/** Options of {@link CeleryControl.inspect}. */
export interface InspectOptions extends ControlTarget {
  /** Stop waiting after this many ms without a new reply. Default 1000 (Celery's 1.0 s). */
  timeoutMs?: number;
  /** Stop after this many replies. */
  limit?: number;
}

/**
 * Celery's `Inspect`: each query broadcasts one command and resolves with the replies merged
 * into `{ "<nodename>": <reply> }` (only the workers that answered within the timeout).
 * Replies with Celery's error shape `{ error }` are passed through as they came.
 */
export class CeleryInspect {
  constructor(
    private readonly control: ControlBroadcaster,
    private readonly options: InspectOptions = {},
  ) {}

  /** `{ node: { ok: 'pong' } }` per live worker. */
  ping(): Promise<ControlReply<ControlOk>> {
    return this.request('ping');
  }

  /** Registered task names per worker (without Celery's `celery.*` builtins). */
  registered(): Promise<ControlReply<string[]>> {
    return this.request('registered', { taskinfoitems: [] });
  }

  /** The queues each worker consumes, as kombu Queue dicts. */
  activeQueues(): Promise<ControlReply<KombuQueueInfo[]>> {
    return this.request('active_queues');
  }

  /** Worker statistics (`total`, `pid`, `clock`, `uptime`, `pool`, `broker`, …). */
  stats(): Promise<ControlReply<WorkerStats>> {
    return this.request('stats');
  }

  /** Running requests per worker (Celery's `Request.info()`); `safe` gives args as repr strings. */
  active(safe = false): Promise<ControlReply<RequestInfo[]>> {
    return this.request('active', { safe });
  }

  /** Requests each worker received and has not started yet (waiting for a free slot). */
  reserved(): Promise<ControlReply<RequestInfo[]>> {
    return this.request('reserved');
  }

  /** Requests each worker holds until their ETA: `{ eta, priority, request }`. */
  scheduled(): Promise<ControlReply<ScheduledRequestInfo[]>> {
    return this.request('scheduled');
  }

  /** What each worker knows of these task ids: `{ id: [state, info] }` (Python workers leave out ETA-held ones). */
  queryTask(ids: string[]): Promise<ControlReply<Record<string, [RequestState | 'ready', RequestInfo]>>> {
    return this.request('query_task', { ids });
  }

  /** Each worker's configuration (changed settings for Python workers), secrets masked. */
  conf(): Promise<ControlReply<Record<string, unknown>>> {
    return this.request('conf', { with_defaults: false });
  }

  /** Revoked task ids each worker remembers. */
  revoked(): Promise<ControlReply<string[]>> {
    return this.request('revoked');
  }

  /** Any other inspect command, e.g. `scheduled` on Python workers. */
  async request<T = unknown>(command: string, args: Record<string, unknown> = {}): Promise<ControlReply<T>> {
    const replies = await this.control.broadcast<T>(command, { ...this.options, arguments: args, reply: true });
    return mergeReplies(replies);
  }
}
