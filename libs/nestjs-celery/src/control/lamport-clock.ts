/**
 * Celery's Lamport clock (kombu `LamportClock`): advanced on every message sent, and moved past
 * the `clock` header of every message received. Shown as `clock` in `inspect stats`.
 */
export class LamportClock {
  private current = 0;

  /** The current value. */
  get value(): number {
    return this.current;
  }

  /** Moves past a clock seen on a received message; returns the new value. */
  adjust(other: unknown): number {
    const seen = typeof other === 'number' && Number.isFinite(other) ? other : 0;
    this.current = Math.max(this.current, seen) + 1;
    return this.current;
  }

  /** Advances for a message about to be sent; returns the value to send. */
  forward(): number {
    return ++this.current;
  }
}
