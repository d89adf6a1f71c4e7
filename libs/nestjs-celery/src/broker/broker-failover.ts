import type { BrokerFailoverStrategy } from './broker-connection.options.js';

/**
 * The order in which the URLs of a cluster are tried, like kombu's failover: `round-robin` goes
 * through the list in order, `shuffle` in a new random order each round. Every URL is tried once
 * per round; {@link advance} moves to the next one (after a failed attempt or a lost connection).
 */
export class BrokerFailover {
  private order: string[];
  private position = 0;

  constructor(
    private readonly urls: readonly string[],
    private readonly strategy: BrokerFailoverStrategy,
    private readonly random: () => number = Math.random,
  ) {
    this.order = this.roundOrder();
  }

  /** The URL to connect to now. */
  get current(): string {
    return this.order[this.position]!;
  }

  /** How many URLs a round has. */
  get size(): number {
    return this.order.length;
  }

  /** Moves to the next URL; true when that starts a new round (every URL was tried). */
  advance(): boolean {
    this.position++;
    if (this.position < this.order.length) return false;
    this.position = 0;
    if (this.strategy === 'shuffle') this.order = this.roundOrder();
    return true;
  }

  private roundOrder(): string[] {
    const order = [...this.urls];
    if (this.strategy === 'shuffle') {
      for (let i = order.length - 1; i > 0; i--) {
        const j = Math.floor(this.random() * (i + 1));
        [order[i], order[j]] = [order[j]!, order[i]!];
      }
    }
    return order;
  }
}
