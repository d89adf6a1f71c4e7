import type { ControlReply, NodeMatcher } from '../control-message.js';

/** Which workers a broadcast addresses (all of them by default). */
export interface ControlTarget {
  /** Node names, e.g. `['nest123@host']`; replies stop once each answered. */
  destination?: string[];
  /** Select nodes by name pattern instead (`matcher` `glob`, the default, or `pcre`). */
  pattern?: string;
  matcher?: NodeMatcher;
}

/** Options of `CeleryControl.broadcast`. */
export interface BroadcastOptions extends ControlTarget {
  /** Command arguments, e.g. `{ task_id: 'abc' }`. */
  arguments?: Record<string, unknown>;
  /** Wait for replies (a `call`); false sends a cast and resolves with `[]`. Default false. */
  reply?: boolean;
  /** Stop waiting after this many ms without a new reply. Default 1000 (Celery's 1.0 s). */
  timeoutMs?: number;
  /** Stop after this many replies. Default: the number of destinations, else unlimited. */
  limit?: number;
  /** Called with each reply as it arrives. */
  onReply?: (reply: ControlReply) => void;
}

/** What sends a broadcast and collects its replies (`CeleryControl`). */
export interface ControlBroadcaster {
  broadcast<T = unknown>(command: string, options?: BroadcastOptions): Promise<Array<ControlReply<T>>>;
}
