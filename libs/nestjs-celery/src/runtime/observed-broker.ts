import type { Options } from 'amqplib';
import type { Observable } from 'rxjs';
import type { Broker, BrokerStatus, ConsumeOptions, ConsumerHandle } from '../broker/broker.js';
import type { Delivery } from '../broker/delivery.js';
import type { Topology } from '../broker/topology.js';
import type { CeleryObserver } from './celery-observer.js';

/**
 * A {@link Broker} that reports each confirmed publish and its confirm time to a
 * {@link CeleryObserver}, delegating everything else. Only used when an observer is set, so a
 * worker or client without one publishes straight on its broker.
 */
export class ObservedBroker implements Broker {
  constructor(
    private readonly broker: Broker,
    private readonly observer: CeleryObserver,
  ) {}

  get status$(): Observable<BrokerStatus> {
    return this.broker.status$;
  }

  get status(): BrokerStatus {
    return this.broker.status;
  }

  get failure$(): Observable<Error> | undefined {
    return this.broker.failure$;
  }

  connect(): Promise<void> {
    return this.broker.connect();
  }

  whenConnected(timeoutMs?: number): Promise<void> {
    return this.broker.whenConnected(timeoutMs);
  }

  declare(topology: Topology): Promise<void> {
    return this.broker.declare(topology);
  }

  hasQueue(name: string): boolean {
    return this.broker.hasQueue(name);
  }

  async publish(exchange: string, routingKey: string, content: Buffer, options: Options.Publish): Promise<void> {
    const started = performance.now();
    try {
      await this.broker.publish(exchange, routingKey, content, options);
    } catch (error) {
      this.observer.publishFailed?.(error);
      throw error;
    }
    this.observer.publishConfirmed?.(performance.now() - started);
  }

  publishUnconfirmed(exchange: string, routingKey: string, content: Buffer, options: Options.Publish): void {
    this.broker.publishUnconfirmed(exchange, routingKey, content, options);
  }

  consume(queue: string, onDelivery: (delivery: Delivery) => void, options: ConsumeOptions): Promise<ConsumerHandle> {
    return this.broker.consume(queue, onDelivery, options);
  }

  close(): Promise<void> {
    return this.broker.close();
  }
}
