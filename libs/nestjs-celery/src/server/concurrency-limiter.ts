/** Runs at most `limit` tasks at once; the rest wait in arrival order. */
export class ConcurrencyLimiter {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly limit: number) {}

  /** Tasks running now. */
  get active(): number {
    return this.running;
  }

  /** Runs `work` when a slot is free. */
  run(work: () => Promise<void>): Promise<void> {
    if (this.running < this.limit) {
      this.running++;
      return this.execute(work);
    }
    return new Promise<void>((resolve) => this.waiting.push(resolve)).then(() => this.execute(work));
  }

  private async execute(work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } finally {
      const next = this.waiting.shift();
      if (next) next(); // hand the slot over
      else this.running--;
    }
  }
}
