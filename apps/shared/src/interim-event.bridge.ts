import { Logger } from '@nestjs/common';
import { AmqpBroker, defaultBrokerUrl, type CeleryClient, type Topology } from 'nestjs-celery';

/** What one service publishes and subscribes to. */
export interface InterimEventRoutes {
  /** The service (names its event queue `<service>.interim-events`). */
  service: string;
  /** Topic exchange of the events this service publishes (its own name). */
  publishes: string;
  /** Topic exchanges and binding patterns of the events it consumes. */
  subscribes: Array<{ exchange: string; routingKeys: string[] }>;
}

/**
 * TEMPORARY stand-in for the event bus of issue #4 (`EventPublisher` / `@OnEvent`), built only
 * on what exists today, so the sample services talk over RabbitMQ before that lands. It already
 * uses #4's wire format: an event is a Celery task message named after its routing key with args
 * `[payload]`, on the producer's durable topic exchange; consumers handle it with
 * `@CeleryTask('<routing key>')` on a queue bound with wildcard patterns. Delete this file when
 * the services are wired to the event bus (docs/sample-services.md lists the swaps).
 */
export class InterimEventBridge {
  /** The queue a service consumes its events from. */
  static queue(service: string): string {
    return `${service}.interim-events`;
  }

  /** Exchanges (durable topic), the service's durable event queue and its bindings. */
  static topology(routes: InterimEventRoutes): Topology {
    const queue = InterimEventBridge.queue(routes.service);
    const exchanges = [routes.publishes, ...routes.subscribes.map((s) => s.exchange)];
    return {
      exchanges: [...new Set(exchanges)].map((name) => ({ name, type: 'topic' as const, durable: true, autoDelete: false })),
      queues: [{ name: queue, durable: true, autoDelete: false, exclusive: false }],
      bindings: routes.subscribes.flatMap((s) => s.routingKeys.map((routingKey) => ({ queue, exchange: s.exchange, routingKey }))),
    };
  }

  /** Declares the topology on a short-lived connection (idempotent). */
  static async declare(routes: InterimEventRoutes, brokerUrl = defaultBrokerUrl()): Promise<void> {
    const broker = new AmqpBroker({ url: brokerUrl, connectionName: `${routes.service}-interim-events`, logger: new Logger('InterimEventBridge') });
    try {
      await broker.connect();
      await broker.declare(InterimEventBridge.topology(routes));
    } finally {
      await broker.close();
    }
  }

  /** Publishes `payload` as event `routingKey` on `exchange` (confirmed, persistent, no result). */
  static async publish(client: CeleryClient, exchange: string, routingKey: string, payload: object): Promise<void> {
    await client.sendTask(routingKey, [payload], {}, { exchange, routingKey, replyTo: null, ignoreResult: true });
  }
}
