/** Runs at most `limit` tasks at once; the rest wait in arrival order. */
export class ConcurrencyLimiter {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly limit: number) {}

  /** Tasks running now. */
  get active(): number {
    return this.running;
  }

  /**
   * Takes a slot: `undefined` when one was free (the common case: no promise), else a promise
   * that resolves when a slot is handed over. Every acquire must be followed by one {@link release}.
   */
  acquire(): Promise<void> | undefined {
    if (this.running < this.limit) {
      this.running++;
      return undefined;
    }
    return new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  /** Gives the slot back, to the longest waiting task if any. */
  release(): void {
    const next = this.waiting.shift();
    if (next) next(); // hand the slot over
    else this.running--;
  }

  /** Runs `work` when a slot is free. */
  async run(work: () => Promise<void>): Promise<void> {
    const slot = this.acquire();
    if (slot) await slot;
    try {
      await work();
    } finally {
      this.release();
    }
  }
}
