/** An event as Celery's `EventDispatcher.publish` sends it: the standard fields plus the event's own. */
export interface CeleryEventBody {
  /** `worker-heartbeat`, `task-succeeded`, ... (group, dash, subject). */
  type: string;
  /** The sender's node name. */
  hostname: string;
  /** Hours west of UTC, Python's `time.timezone // 3600` (`altzone` in DST). */
  utcoffset: number;
  pid: number;
  /** The sender's Lamport clock, forwarded for this event. */
  clock: number;
  /** Unix time in seconds (a float). */
  timestamp: number;
  [field: string]: unknown;
}

/** AMQP properties of every event message (transient, like Celery's `delivery_mode=1`). */
export const CELERY_EVENT_PROPERTIES = { contentType: 'application/json', contentEncoding: 'utf-8', deliveryMode: 1 } as const;

/** Celery's routing key for an event type: dashes become dots (`worker-heartbeat` → `worker.heartbeat`). */
export function celeryEventRoutingKey(type: string): string {
  return type.replaceAll('-', '.');
}

/** Celery's `utcoffset()`: hours west of UTC for this date, rounded down like Python's `//`. */
export function utcOffsetHours(date: Date = new Date()): number {
  return Math.floor(date.getTimezoneOffset() / 60);
}

/** The JSON body of an event message. */
export function encodeCeleryEvent(event: CeleryEventBody): Buffer {
  return Buffer.from(JSON.stringify(event));
}
