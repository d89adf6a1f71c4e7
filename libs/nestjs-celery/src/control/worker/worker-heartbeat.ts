import { loadavg } from 'node:os';
import type { CeleryEventPublisher } from './celery-event.publisher.js';
import { SOFTWARE_INFO } from './software-info.js';

/** Seconds between worker heartbeats: Celery's default `freq` (receivers call a worker offline after two missed beats). */
export const WORKER_HEARTBEAT_FREQ_SECONDS = 2;

/** What a heartbeat reports about the worker. */
export interface HeartbeatSource {
  /** Tasks running now. */
  readonly activeCount: number;
  /** Tasks started since the worker started. */
  processedCount(): number;
}

/** Celery's `load_average()`: `os.getloadavg()` rounded up to two decimals. */
export function loadAverage(): number[] {
  return loadavg().map((load) => Math.ceil(load * 100) / 100);
}

/**
 * Celery's `Heart`: `worker-online` on start, `worker-heartbeat` every
 * {@link WORKER_HEARTBEAT_FREQ_SECONDS}, `worker-offline` on stop, each with `freq`, `active`,
 * `processed`, `loadavg` and the software info, so `celery events`, Flower and `State()` see
 * the worker alive. The timer does not keep the process alive (a listening `ServerCelery` does, through `WorkerKeepAlive`).
 */
export class WorkerHeartbeat {
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly publisher: CeleryEventPublisher,
    private readonly source: HeartbeatSource,
  ) {}

  /** Sends `worker-online` and starts the heartbeat timer. */
  start(): void {
    if (this.timer) return;
    this.send('worker-online');
    this.timer = setInterval(() => this.send('worker-heartbeat'), WORKER_HEARTBEAT_FREQ_SECONDS * 1000);
    this.timer.unref();
  }

  /** Sends a `worker-heartbeat` now (the `heartbeat` control command that event receivers cast on start). */
  beat(): void {
    if (this.timer) this.send('worker-heartbeat');
  }

  /** Stops the timer and sends `worker-offline`. Idempotent. */
  stop(): void {
    if (!this.timer) return;
    clearInterval(this.timer);
    this.timer = undefined;
    this.send('worker-offline');
  }

  private send(type: string): void {
    this.publisher.send(type, {
      freq: WORKER_HEARTBEAT_FREQ_SECONDS,
      active: this.source.activeCount,
      processed: this.source.processedCount(),
      loadavg: loadAverage(),
      ...SOFTWARE_INFO,
    });
  }
}
