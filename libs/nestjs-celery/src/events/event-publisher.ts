import { randomUUID } from 'node:crypto';
import type { Broker } from '../broker/broker.js';
import type { ExchangeDeclaration } from '../broker/topology.js';
import { DEFAULT_ORIGIN } from '../producer/node-identity.js';
import { TaskProducer } from '../producer/task-producer.js';
import type { CeleryObserver } from '../runtime/celery-observer.js';
import { ObservedBroker } from '../runtime/observed-broker.js';
import type { WireHeaders } from '../protocol/task-message.js';
import { eventDescriptorOf, type EventClass } from './celery-event.metadata.js';
import { decodeEventPayload, encodeEventPayload, eventViolations } from './event-payload.codec.js';
import { InvalidEventError } from './event.errors.js';

/** Options of one {@link EventPublisher.publish}. */
export interface PublishEventOptions {
  /** Message id (Celery task id). Default: a new uuid. */
  id?: string;
  /** Extra message headers. */
  headers?: Record<string, unknown>;
  /** Persistent message (delivery mode 2, survives a broker restart in durable queues). Default true. */
  persistent?: boolean;
}

/** The producer's topic exchange, declared like kombu's `Exchange(name, type='topic')`. */
export function eventExchange(name: string): ExchangeDeclaration {
  return { name, type: 'topic', durable: true, autoDelete: false };
}

/**
 * Publishes event contracts (`@CeleryEvent` classes). An event travels as a Celery protocol v2
 * task message named after its routing key with args `[payload]`, on the producer's durable topic
 * exchange, so Python Celery consumes it with `@app.task(name='order.v1.submit')`.
 *
 * ```ts
 * await publisher.publish(Object.assign(new OrderSubmitted(), { orderId, customer, lines, submittedAt }));
 * ```
 * Inject it from `CeleryModule`; it shares the module's broker connection.
 */
export class EventPublisher {
  private readonly producer: TaskProducer;
  private readonly declared = new Set<string>();
  /** Event classes whose instances are judged as the consumer will read them first (see {@link check}). */
  private readonly readBackFirst = new WeakSet<EventClass>();

  constructor(
    private readonly broker: Broker,
    origin: string = DEFAULT_ORIGIN,
    /** Header table of published events (see `CeleryClientOptions.wireHeaders`); default `'compact'`. */
    wireHeaders: WireHeaders = 'compact',
    /** Told of each published event and its publish confirm (`nestjs-celery/metrics`); default none. */
    private readonly observer?: CeleryObserver,
  ) {
    this.producer = new TaskProducer(observer ? new ObservedBroker(broker, observer) : broker, 'celery', origin, { wireHeaders });
  }

  /**
   * Validates `event`, declares its exchange (once), publishes it and resolves with the message id
   * once the broker confirmed it.
   * @throws InvalidEventError when validation fails or class-transformer cannot convert the event (nothing is sent)
   * @throws EventNotDecoratedError when the class has no `@CeleryEvent`
   * @throws BrokerUnavailableError / PublishNotConfirmedError when the broker did not take it
   */
  async publish(event: object, options: PublishEventOptions = {}): Promise<string> {
    const type = event?.constructor as EventClass;
    const { exchange, routingKey } = eventDescriptorOf(type);
    let payload: Record<string, unknown>;
    try {
      payload = encodeEventPayload(event);
    } catch (error) {
      // class-transformer refused the instance: the caller gets the typed error, nothing is sent.
      throw new InvalidEventError(routingKey, [`event cannot be written as ${type.name} payload: ${(error as Error).message}`]);
    }
    this.check(type, routingKey, event, payload);
    if (!this.declared.has(exchange)) {
      await this.broker.declare({ exchanges: [eventExchange(exchange)] });
      this.declared.add(exchange);
    }
    const id = options.id ?? randomUUID();
    await this.producer.send(routingKey, [payload], {}, {
      exchange,
      routingKey,
      ignoreResult: true,
      replyTo: null,
      taskId: id,
      headers: options.headers,
      deliveryMode: options.persistent === false ? 1 : 2,
    });
    this.observer?.eventPublished?.(routingKey);
    return id;
  }

  /**
   * Accepts the event when the instance is valid as it is, or when it is valid as the consumer
   * will see it (the payload read back into its class: nested plain objects become their classes).
   * Classes whose events needed the second reading once (their instances carry nested plain
   * objects) go to it first, which saves the validation that would fail; the outcome is the same.
   */
  private check(type: EventClass, routingKey: string, event: object, payload: Record<string, unknown>): void {
    if (this.readBackFirst.has(type)) {
      const decoded = decodeEventPayload(type, payload);
      if (!decoded.ok && eventViolations(event).length > 0) throw new InvalidEventError(routingKey, decoded.violations);
      return;
    }
    if (eventViolations(event).length === 0) return;
    const decoded = decodeEventPayload(type, payload);
    if (!decoded.ok) throw new InvalidEventError(routingKey, decoded.violations);
    this.readBackFirst.add(type);
  }
}
