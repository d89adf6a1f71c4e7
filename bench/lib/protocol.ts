/**
 * The control protocol between the driver (bench/run.ts) and its children (consumers and
 * producers, Node or Python): the driver writes one JSON command per line on the child's stdin;
 * the child answers and reports events with lines `@@bench {json}` on its stdout (anything else
 * on stdout/stderr is the child's own logging, kept for error reports).
 */
export const LINE_PREFIX = '@@bench ';

/** A command sent to a child. `id` matches the reply. */
export interface Command {
  id: number;
  cmd: string;
  [key: string]: unknown;
}

/** A child's answer to a command. */
export interface Reply {
  id: number;
  ok: boolean;
  error?: string;
  [key: string]: unknown;
}

/** Something a child reports by itself: `ready`, `done` (the consumer handled its target count). */
export interface ChildEvent {
  event: string;
  [key: string]: unknown;
}

/** Wall-clock milliseconds with sub-millisecond resolution, comparable across processes on one machine. */
export function epochMs(): number {
  return performance.timeOrigin + performance.now();
}

/** Consumer `stats` reply. */
export interface ProcessStats {
  count: number;
  /** user + system CPU in microseconds since the process started. */
  cpuUs: number;
  heapUsed?: number;
  rss?: number;
}

/** Producer `w1` reply. */
export interface W1Reply {
  /** Epoch ms just before the first publish. */
  tFirst: number;
  /** Epoch ms once the last publish returned (confirmed, when the system confirms). */
  tLast: number;
  published: number;
  cpuUs: number;
}

/** Producer `w2` reply. */
export interface W2Reply {
  calls: number;
  /** Calls that returned the expected reply. */
  succeeded: number;
  errors: number;
  firstError?: string;
  elapsedMs: number;
  p50Us: number;
  p90Us: number;
  p99Us: number;
  maxUs: number;
  meanUs: number;
  cpuUs: number;
}

/** Producer `w3` reply. */
export interface W3Reply {
  calls: number;
  /** Calls that returned the expected reply. */
  succeeded: number;
  errors: number;
  firstError?: string;
  elapsedMs: number;
  cpuUs: number;
}
