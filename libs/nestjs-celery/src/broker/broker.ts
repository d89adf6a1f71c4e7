import type { Options } from 'amqplib';
import type { Observable } from 'rxjs';
import type { Delivery } from './delivery.js';
import type { QueueDepth } from './queue-depth.js';
import type { Topology } from './topology.js';

/** Connection state of a broker, observable through {@link Broker.status$}. */
export type BrokerStatus = 'connecting' | 'connected' | 'reconnecting' | 'closed';

/** Options for {@link Broker.consume}. */
export interface ConsumeOptions {
  /** Unacknowledged messages the broker may push to this consumer. 0 means unlimited (only with noAck). */
  prefetch: number;
  /** Broker acks on delivery (for reply queues). Default false. */
  noAck?: boolean;
  /** Exclusive consumer. Default false. */
  exclusive?: boolean;
}

/** A running consumer; it is resumed after every reconnect until cancelled. */
export interface ConsumerHandle {
  readonly queue: string;
  /**
   * True while the broker delivers to this consumer (subscribed on an open channel); false while
   * it is being resumed after a reconnect or a channel error, and after `cancel()`. Optional for
   * brokers that cannot tell (health checks then go by the connection state).
   */
  readonly consuming?: boolean;
  /** Changes the prefetch (e.g. while ETA tasks are held). */
  setPrefetch(count: number): Promise<void>;
  /** Stops delivery; settled and unsettled messages are left to the caller. */
  cancel(): Promise<void>;
}

/**
 * What the worker (`ServerCelery`) and the client (`CeleryClient`) need from a message broker:
 * AMQP 0-9-1 semantics (exchanges, queues, bindings, acks, publisher confirms). Implemented by
 * `AmqpBroker` (RabbitMQ), `RedisBroker` (kombu's Redis transport) and `MemoryBroker` (in-process,
 * for tests and embedded demos).
 * Server and client code talk to the broker only through these methods.
 */
export interface Broker {
  /**
   * The kind of transport, as kombu's `driver_type`: Celery sends its events on a fanout exchange
   * on Redis (celery/events/event.py `get_exchange`) and on a topic exchange elsewhere. Absent means `amqp`.
   */
  readonly driverType?: 'amqp' | 'memory' | 'redis';
  /** Connection state changes: `connecting`, `connected`, `reconnecting`, `closed`; completes after `closed`. */
  readonly status$: Observable<BrokerStatus>;
  /** The current connection state. */
  readonly status: BrokerStatus;
  /**
   * Fatal connection failures (refused credentials, an unusable URL, a declaration refused on
   * reconnect): the broker stops reconnecting and waiting operations reject with the error.
   * Absent where the broker cannot fail that way (the memory broker).
   */
  readonly failure$?: Observable<Error>;
  /** Connects (if not yet connected) and resolves once connected. Rejects with `BrokerClosedError` after `close()`. */
  connect(): Promise<void>;
  /** Resolves when connected; rejects with `BrokerUnavailableError` after `timeoutMs`, or `BrokerClosedError`. */
  whenConnected(timeoutMs?: number): Promise<void>;
  /**
   * Declares exchanges, queues and bindings idempotently. A name declared again with other
   * attributes fails with `TopologyMismatchError`.
   */
  declare(topology: Topology): Promise<void>;
  /** True when a queue of this name was declared through this broker (with any attributes). */
  hasQueue(name: string): boolean;
  /** Publishes and resolves once the broker confirmed (took responsibility for) the message. */
  publish(exchange: string, routingKey: string, content: Buffer, options: Options.Publish): Promise<void>;
  /** Publishes without waiting for a confirm (rpc replies). Failures are logged, never thrown. */
  publishUnconfirmed(exchange: string, routingKey: string, content: Buffer, options: Options.Publish): void;
  /** Starts a consumer; every message is handed to `onDelivery` to be acked or rejected. */
  consume(queue: string, onDelivery: (delivery: Delivery) => void, options: ConsumeOptions): Promise<ConsumerHandle>;
  /**
   * Reads the depth of these queues without declaring them, for monitoring. Queues the broker does
   * not have are left out (on Redis every name has a depth, 0 when empty, as kombu's `_size`).
   * Optional: a broker without it shows no queue depths.
   */
  queueDepths?(names: readonly string[]): Promise<QueueDepth[]>;
  /** Closes the connection: consumers stop, unacknowledged messages go back to their queues. Idempotent. */
  close(): Promise<void>;
}
