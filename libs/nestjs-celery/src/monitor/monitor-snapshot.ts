/** A worker as the monitoring page shows it (Nest or Python alike). */
export interface MonitorWorker {
  readonly hostname: string;
  /** `online` while heartbeats or ping replies arrive; `offline` after `worker-offline` or two missed heartbeats. */
  readonly status: 'online' | 'offline';
  /** Software as the worker reports it (`sw_ident` `sw_ver`, e.g. `py-celery 5.2.6` or `nestjs-celery 0.1.0`). */
  readonly software?: string;
  /** Tasks running now (from its heartbeat). */
  readonly active?: number;
  /** Tasks it has run since it started (from its heartbeat). */
  readonly processed?: number;
  /** Queues it consumes (`inspect active_queues`). */
  readonly queues: readonly string[];
  /** Unix time (ms) of the last heartbeat, ping reply or event. */
  readonly lastSeen: number;
}

/** A queue with its depth and consumers, read from the broker. */
export interface MonitorQueue {
  readonly name: string;
  /** Ready messages (on Redis: every priority list of the queue). */
  readonly messages: number;
  /** Delivered and not yet acknowledged, where the broker says (Redis: kombu's `unacked` hash; not RabbitMQ's passive declare). */
  readonly unacked?: number;
  /** Consumers, as {@link consumersCountedBy} says they were counted. */
  readonly consumers: number;
  /**
   * `broker`: the broker's own count (RabbitMQ, any consumer). `workers`: the online workers that
   * report consuming the queue (`inspect active_queues`), where the broker keeps no count (Redis).
   */
  readonly consumersCountedBy: 'broker' | 'workers';
}

/** Task counts of one task name over the rate window. */
export interface MonitorTaskRate {
  readonly task: string;
  readonly received: number;
  readonly succeeded: number;
  readonly failed: number;
  readonly retried: number;
  /** Finished tasks (succeeded + failed) per minute over the window. */
  readonly perMinute: number;
}

/** A task that failed, with what its worker reported. */
export interface MonitorFailure {
  readonly id: string;
  readonly task: string;
  readonly hostname: string;
  /** Unix time (ms). */
  readonly at: number;
  /** `ExcType('message')`, as Celery's `task-failed` event carries it. */
  readonly exception: string;
  readonly traceback: string;
}

/** A task the page lists as received, started or finished recently. */
export interface MonitorTask {
  readonly id: string;
  readonly task: string;
  readonly state: string;
  readonly hostname: string;
  /** Unix time (ms) of its latest event. */
  readonly at: number;
  /** Run time in seconds, once finished. */
  readonly runtime?: number;
}

/** Everything the page shows, as `GET <path>/api/state` returns it. */
export interface MonitorSnapshot {
  /** Unix time (ms) this snapshot was taken. */
  readonly at: number;
  /** The broker URL, password masked. */
  readonly broker: string;
  /** The window of {@link rates}, in seconds. */
  readonly rateWindowSeconds: number;
  readonly workers: readonly MonitorWorker[];
  readonly queues: readonly MonitorQueue[];
  readonly rates: readonly MonitorTaskRate[];
  readonly failures: readonly MonitorFailure[];
  readonly recent: readonly MonitorTask[];
  /** Events received since the monitor started. */
  readonly events: number;
}
