import type { Delivery } from '../broker/delivery.js';
import type { EtaParking } from './eta-parking.js';

/** Longest single `setTimeout` (Node's limit is 2^31-1 ms): a longer wait is cut into steps. */
const MAX_TIMER_MS = 2_147_000_000;

/**
 * Waits for the ETA of tasks sent with `eta`/`countdown`, as Celery does: the message is held
 * unacknowledged until its time while the consumers' prefetch is raised by the number held (so
 * held tasks do not starve the others). A task whose ETA is further off than the hold limit is
 * parked instead ({@link EtaParking}). `close()` hands every held message back to its queue.
 */
export class EtaScheduler {
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly held = new Set<Delivery>();
  /** Wake-ups of the held tasks: `close()` calls them, so held tasks never block the drain. */
  private readonly wakers = new Set<() => void>();

  constructor(
    /** Undefined when parking is off (`etaHoldLimitMs: false`). */
    private readonly parking: EtaParking | undefined,
    /** Called with the number of held messages each time it changes, to raise the prefetch by it. */
    private readonly onHeldChange: (held: number) => void,
  ) {}

  /**
   * Waits until `eta`, or parks the message when its ETA is too far off. Resolves `'parked'` when
   * the message left for the parking queue (acknowledged here, nothing left to do), `'due'` when
   * the task should run now, or when `close()` released it (the message was handed back).
   */
  async wait(queue: string, delivery: Delivery, eta: Date): Promise<'parked' | 'due'> {
    if (this.parking?.shouldPark(eta) && (await this.parking.park(queue, delivery))) return 'parked';
    await this.hold(delivery, eta.getTime());
    return 'due';
  }

  /** Stops waiting: every held message goes back to its queue (requeued) and its wait ends. */
  close(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const delivery of this.held) delivery.reject(true);
    this.held.clear();
    for (const wake of this.wakers) wake();
  }

  private async hold(delivery: Delivery, when: number): Promise<void> {
    this.held.add(delivery);
    this.onHeldChange(this.held.size);
    let wake!: () => void;
    const woken = new Promise<void>((resolve) => this.wakers.add((wake = resolve)));
    try {
      await Promise.race([this.sleepUntil(when), woken]);
    } finally {
      this.wakers.delete(wake);
      this.held.delete(delivery);
      this.onHeldChange(this.held.size);
    }
  }

  private sleepUntil(when: number): Promise<void> {
    return new Promise((resolve) => {
      const step = () => {
        const left = when - Date.now();
        if (left <= 0) return resolve();
        const timer = setTimeout(() => {
          this.timers.delete(timer);
          step();
        }, Math.min(left, MAX_TIMER_MS));
        this.timers.add(timer);
      };
      step();
    });
  }
}
