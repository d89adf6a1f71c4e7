import type { Options } from 'amqplib';
import type { Broker } from '../../src/broker/broker.js';
import type { Topology } from '../../src/broker/topology.js';

/** One publish a {@link RecordingBroker} saw. */
export interface Published {
  exchange: string;
  routingKey: string;
  content: Buffer;
  options: Options.Publish;
  /** Sent with `publishUnconfirmed` (no confirm awaited). */
  unconfirmed?: boolean;
}

/** A broker for unit specs: records publishes and declarations; no I/O. */
export class RecordingBroker {
  readonly published: Published[] = [];
  readonly declared: Topology[] = [];
  private readonly queues = new Set<string>();

  async publish(exchange: string, routingKey: string, content: Buffer, options: Options.Publish): Promise<void> {
    this.published.push({ exchange, routingKey, content, options });
  }

  publishUnconfirmed(exchange: string, routingKey: string, content: Buffer, options: Options.Publish): void {
    this.published.push({ exchange, routingKey, content, options, unconfirmed: true });
  }

  async declare(topology: Topology): Promise<void> {
    this.declared.push(topology);
    for (const queue of topology.queues ?? []) this.queues.add(queue.name);
  }

  hasQueue(name: string): boolean {
    return this.queues.has(name);
  }

  /** This fake, typed as the broker the code under test expects. */
  asBroker(): Broker {
    return this as unknown as Broker;
  }
}
