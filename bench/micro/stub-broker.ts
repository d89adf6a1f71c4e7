/**
 * A Broker that does no I/O, for the micro-benchmarks: consumers are kept so the caller can feed
 * deliveries, publishes are handed to `onPublish` and confirmed at once.
 */
import type { Options } from 'amqplib';
import { BehaviorSubject } from 'rxjs';
import type { Broker, BrokerStatus, ConsumerHandle, Delivery, TaskMessageSpec } from 'nestjs-celery';
import { ORDER } from '../payload.js';

export interface StubBroker extends Broker {
  /** The consumer callbacks, by queue. */
  readonly consumers: Map<string, (delivery: Delivery) => void>;
}

export function stubBroker(onPublish: (content: Buffer, options: Options.Publish) => void = () => undefined): StubBroker {
  const consumers = new Map<string, (delivery: Delivery) => void>();
  return {
    consumers,
    status$: new BehaviorSubject<BrokerStatus>('connected'),
    status: 'connected',
    connect: async () => undefined,
    whenConnected: async () => undefined,
    declare: async () => undefined,
    hasQueue: () => true,
    publish: (_exchange, _routingKey, content, options) => {
      onPublish(content, options);
      return Promise.resolve();
    },
    publishUnconfirmed: () => undefined,
    consume: async (queue, onDelivery): Promise<ConsumerHandle> => {
      consumers.set(queue, onDelivery);
      return { queue, setPrefetch: async () => undefined, cancel: async () => undefined };
    },
    close: async () => undefined,
  };
}

/** The bench order as a fire-and-forget Celery task message spec. */
export function orderTaskSpec(id: string): TaskMessageSpec {
  return { task: 'bench.order', id, args: [ORDER], kwargs: {}, origin: 'gen1@host', ignoreResult: true };
}
