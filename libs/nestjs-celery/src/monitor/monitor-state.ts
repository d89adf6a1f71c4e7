import type { MonitorFailure, MonitorQueue, MonitorSnapshot, MonitorTask, MonitorTaskRate, MonitorWorker } from './monitor-snapshot.js';

/** One Celery event as it arrives on `celeryev` (the fields the monitor reads). */
export interface MonitorEvent {
  type: string;
  hostname?: string;
  timestamp?: number;
  uuid?: string;
  name?: string;
  runtime?: number;
  exception?: string;
  traceback?: string;
  freq?: number;
  active?: number;
  processed?: number;
  sw_ident?: string;
  sw_ver?: string;
}

/** Options of {@link MonitorState}. */
export interface MonitorStateOptions {
  /** Window of the task rates, in seconds. Default 60. */
  rateWindowSeconds?: number;
  /** Failures kept. Default 50. */
  maxFailures?: number;
  /** Recent tasks kept. Default 50. */
  maxRecent?: number;
}

interface WorkerRecord {
  hostname: string;
  offline: boolean;
  software?: string;
  active?: number;
  processed?: number;
  queues: string[];
  lastSeen: number;
  freqSeconds: number;
}

type Counted = 'received' | 'succeeded' | 'failed' | 'retried';

/**
 * What the monitoring page knows, built from Celery events and inspect replies: workers, task
 * rates over a sliding window, recent failures with tracebacks, recent tasks. Pure: the caller
 * feeds it events and inspect results and reads a {@link MonitorSnapshot}.
 */
export class MonitorState {
  private readonly workers = new Map<string, WorkerRecord>();
  /** (time ms, task, kind) of each counted event within the window, oldest first. */
  private readonly counted: Array<{ at: number; task: string; kind: Counted }> = [];
  private readonly failures: MonitorFailure[] = [];
  private readonly recent = new Map<string, MonitorTask>();
  /** Task names by id: only `task-received` carries the name. */
  private readonly names = new Map<string, string>();
  private queues: MonitorQueue[] = [];
  private events = 0;
  private readonly windowMs: number;
  private readonly maxFailures: number;
  private readonly maxRecent: number;

  constructor(options: MonitorStateOptions = {}) {
    this.windowMs = (options.rateWindowSeconds ?? 60) * 1000;
    this.maxFailures = options.maxFailures ?? 50;
    this.maxRecent = options.maxRecent ?? 50;
  }

  /** Applies one Celery event. */
  onEvent(event: MonitorEvent, now = Date.now()): void {
    this.events++;
    const at = typeof event.timestamp === 'number' ? Math.round(event.timestamp * 1000) : now;
    if (event.type.startsWith('worker-') && event.hostname) {
      const worker = this.worker(event.hostname, now);
      worker.offline = event.type === 'worker-offline';
      if (event.sw_ident) worker.software = `${event.sw_ident} ${event.sw_ver ?? ''}`.trim();
      if (typeof event.active === 'number') worker.active = event.active;
      if (typeof event.processed === 'number') worker.processed = event.processed;
      if (typeof event.freq === 'number' && event.freq > 0) worker.freqSeconds = event.freq;
      return;
    }
    if (!event.type.startsWith('task-') || !event.uuid) return;
    if (event.hostname) this.worker(event.hostname, now).offline = false;
    if (event.name) this.names.set(event.uuid, event.name);
    const task = event.name ?? this.names.get(event.uuid) ?? '?';
    const state = event.type.slice('task-'.length);
    const kind = ({ received: 'received', succeeded: 'succeeded', failed: 'failed', retried: 'retried' } as const)[state];
    if (kind) this.counted.push({ at: now, task, kind });
    this.remember({ id: event.uuid, task, state: state.toUpperCase(), hostname: event.hostname ?? '', at, runtime: event.runtime });
    if (state === 'failed') {
      this.failures.unshift({
        id: event.uuid,
        task,
        hostname: event.hostname ?? '',
        at,
        exception: event.exception ?? '',
        traceback: event.traceback ?? '',
      });
      this.failures.length = Math.min(this.failures.length, this.maxFailures);
    }
    if (['succeeded', 'failed', 'revoked', 'rejected'].includes(state)) this.names.delete(event.uuid);
  }

  /** Workers that answered a ping (or `inspect`), with the queues they consume when known. */
  onInspect(replies: Record<string, { queues?: string[] }>, now = Date.now()): void {
    for (const [hostname, reply] of Object.entries(replies)) {
      const worker = this.worker(hostname, now);
      worker.offline = false;
      if (reply.queues) worker.queues = reply.queues;
    }
  }

  /** The queues and their depths, as last read from the broker. */
  setQueues(queues: MonitorQueue[]): void {
    this.queues = queues;
  }

  /** Names of every queue a known worker consumes. */
  consumedQueues(): string[] {
    return [...new Set([...this.workers.values()].flatMap((worker) => worker.queues))].sort();
  }

  /** Online workers that report consuming `queue` (for brokers that keep no consumer count). */
  consumersOf(queue: string, now = Date.now()): number {
    return [...this.workers.values()].filter((worker) => this.workerView(worker, now).status === 'online' && worker.queues.includes(queue)).length;
  }

  /** Marks a revoked task in the recent list (the workers' `task-revoked` events follow when events are on). */
  revoked(id: string, now = Date.now()): void {
    const known = this.recent.get(id);
    this.remember({ id, task: known?.task ?? this.names.get(id) ?? '?', state: 'REVOKED', hostname: known?.hostname ?? '', at: now });
  }

  snapshot(broker: string, now = Date.now()): MonitorSnapshot {
    while (this.counted.length > 0 && this.counted[0]!.at < now - this.windowMs) this.counted.shift();
    const rates = new Map<string, { received: number; succeeded: number; failed: number; retried: number }>();
    for (const { task, kind } of this.counted) {
      const rate = rates.get(task) ?? rates.set(task, { received: 0, succeeded: 0, failed: 0, retried: 0 }).get(task)!;
      rate[kind]++;
    }
    const minutes = this.windowMs / 60_000;
    return {
      at: now,
      broker,
      rateWindowSeconds: this.windowMs / 1000,
      workers: [...this.workers.values()].sort((a, b) => a.hostname.localeCompare(b.hostname)).map((worker) => this.workerView(worker, now)),
      queues: this.queues,
      rates: [...rates.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([task, counts]): MonitorTaskRate => ({ task, ...counts, perMinute: Math.round(((counts.succeeded + counts.failed) / minutes) * 10) / 10 })),
      failures: [...this.failures],
      recent: [...this.recent.values()].reverse(),
      events: this.events,
    };
  }

  private workerView(worker: WorkerRecord, now: number): MonitorWorker {
    // Celery's receivers call a worker offline after two missed heartbeats (`freq * 2` plus slack).
    const silent = now - worker.lastSeen > Math.max(worker.freqSeconds * 2 + 1, 10) * 1000;
    return {
      hostname: worker.hostname,
      status: worker.offline || silent ? 'offline' : 'online',
      software: worker.software,
      active: worker.active,
      processed: worker.processed,
      queues: worker.queues,
      lastSeen: worker.lastSeen,
    };
  }

  private worker(hostname: string, now: number): WorkerRecord {
    let worker = this.workers.get(hostname);
    if (!worker) this.workers.set(hostname, (worker = { hostname, offline: false, queues: [], lastSeen: now, freqSeconds: 2 }));
    worker.lastSeen = now;
    return worker;
  }

  private remember(task: MonitorTask): void {
    const known = this.recent.get(task.id);
    this.recent.delete(task.id);
    this.recent.set(task.id, known ? { ...known, ...task, task: task.task === '?' ? known.task : task.task, runtime: task.runtime ?? known.runtime } : task);
    while (this.recent.size > this.maxRecent) this.recent.delete(this.recent.keys().next().value!);
  }
}
