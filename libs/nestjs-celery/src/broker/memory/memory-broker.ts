import { Logger, type LoggerService } from '@nestjs/common';
import type { Options } from 'amqplib';
import { BehaviorSubject, type Observable } from 'rxjs';
import { BrokerClosedError, PublishNotConfirmedError, TopologyMismatchError } from '../broker.errors.js';
import type { Broker, BrokerStatus, ConsumeOptions, ConsumerHandle } from '../broker.js';
import { declarationKey, declarationsOf, type Declaration } from '../declaration.js';
import type { Delivery } from '../delivery.js';
import type { QueueDepth } from '../queue-depth.js';
import type { Topology } from '../topology.js';
import { PreconditionFailedError } from './memory-broker.errors.js';
import { MemoryBrokerMessages } from './memory-broker.messages.js';
import { MemoryConsumer } from './memory-consumer.js';
import { MemoryVhost } from './memory-vhost.js';

/** Options of a {@link MemoryBroker}. */
export interface MemoryBrokerOptions {
  /**
   * The vhost to connect to. Give the same vhost to several brokers to model several
   * connections (e.g. one per service); default: a new vhost of its own.
   */
  vhost?: MemoryVhost;
  /** Named in log lines. Default `memory-<n>`. */
  connectionName?: string;
  logger?: LoggerService;
}

let connections = 0;
let consumerTags = 0;

/**
 * An in-process {@link Broker} with RabbitMQ's semantics, for tests and embedded runs: exchanges
 * (direct, topic with `*`/`#`, fanout, headers, the default exchange), bindings, idempotent
 * declarations with `TopologyMismatchError` on conflicts (checked locally like `AmqpBroker`,
 * and against the vhost like RabbitMQ), competing consumers with prefetch, ack / requeue
 * (`redelivered`) / reject, dead-lettering (`x-dead-letter-exchange`, `x-message-ttl`,
 * `expiration`), `x-expires`, `x-max-priority`, exclusive and auto-delete queues.
 *
 * One instance is one connection to a {@link MemoryVhost}: closing it puts its unacknowledged
 * messages back (redelivered) and deletes its exclusive queues, as a lost RabbitMQ connection would.
 * Publishes are confirmed once routed; deliveries always happen later (never inside `publish`).
 *
 * ```ts
 * const broker = new MemoryBroker();
 * const server = new ServerCelery({ broker, queues: ['billing'] });
 * const client = new CeleryClient({ broker });
 * ```
 */
export class MemoryBroker implements Broker {
  /** The vhost holding the exchanges, queues and messages. */
  readonly vhost: MemoryVhost;
  readonly connectionName: string;
  private readonly id = ++connections;
  private readonly logger: LoggerService;
  private readonly statusSubject = new BehaviorSubject<BrokerStatus>('connecting');
  private readonly declared = new Map<string, string>();
  private readonly consumers = new Set<MemoryConsumer>();
  private closed = false;

  constructor(options: MemoryBrokerOptions = {}) {
    this.vhost = options.vhost ?? new MemoryVhost();
    this.connectionName = options.connectionName ?? `memory-${this.id}`;
    this.logger = options.logger ?? new Logger('CeleryMemoryBroker');
  }

  /** Connection state changes: `connecting`, `connected`, `closed` (then completes). */
  get status$(): Observable<BrokerStatus> {
    return this.statusSubject.asObservable();
  }

  /** The current connection state. */
  get status(): BrokerStatus {
    return this.statusSubject.value;
  }

  /** Connects at once. Rejects with `BrokerClosedError` after `close()`. */
  async connect(): Promise<void> {
    this.open('MemoryBroker.connect()');
  }

  /** Resolves at once (connecting if needed); rejects with `BrokerClosedError` after `close()`. */
  whenConnected(_timeoutMs?: number): Promise<void> {
    try {
      this.open('the memory broker');
      return Promise.resolve();
    } catch (error) {
      return Promise.reject(error as Error);
    }
  }

  /**
   * Declares exchanges, queues and bindings, once each. A name declared again by this broker with
   * other attributes, or existing in the vhost with inequivalent ones, fails with
   * {@link TopologyMismatchError}; a binding to a missing queue or exchange with `EntityNotFoundError`.
   */
  async declare(topology: Topology): Promise<void> {
    const fresh: Declaration[] = [];
    for (const declaration of declarationsOf(topology)) {
      const key = declarationKey(declaration);
      const signature = JSON.stringify(declaration.value);
      const known = this.declared.get(key);
      if (known === undefined) fresh.push(declaration);
      else if (known !== signature) {
        throw new TopologyMismatchError(
          `${declaration.kind} '${key.slice(key.indexOf(':') + 1)}' was already declared as ${known}; ` +
            `now declared as ${signature}. Use the same attributes everywhere.`,
        );
      }
    }
    this.open('MemoryBroker.declare()');
    for (const declaration of fresh) {
      try {
        if (declaration.kind === 'exchange') this.vhost.declareExchange(declaration.value);
        else if (declaration.kind === 'queue') this.vhost.declareQueue(declaration.value, this.id);
        else if (declaration.kind === 'binding') this.vhost.bind(declaration.value, this.id);
        else {
          throw new TypeError(
            `the memory broker does not route exchange-to-exchange bindings (${declaration.value.source} → ${declaration.value.destination}); ` +
              'use RabbitMQ for native delayed delivery',
          );
        }
      } catch (error) {
        if (!(error instanceof PreconditionFailedError)) throw error;
        throw new TopologyMismatchError(
          `the memory broker refused to declare ${declaration.kind} '${declarationKey(declaration).split(':')[1]}': ${error.message}. ` +
            'It exists with other attributes: declare it with the same durable/auto-delete/arguments as its other users.',
        );
      }
      this.declared.set(declarationKey(declaration), JSON.stringify(declaration.value));
    }
  }

  /** True when a queue of this name was declared through this broker (with any attributes). */
  hasQueue(name: string): boolean {
    return this.declared.has(`queue:${name}`);
  }

  /** Each existing queue's ready, unacknowledged and consumer counts. */
  async queueDepths(names: readonly string[]): Promise<QueueDepth[]> {
    return names.flatMap((name) => {
      const stats = this.vhost.inspectQueue(name);
      return stats ? [{ name, messages: stats.ready, unacked: stats.unacked, consumers: stats.consumers }] : [];
    });
  }

  /**
   * Routes the message and resolves (the "confirm"); unroutable messages are dropped like on
   * RabbitMQ. Rejects with `PublishNotConfirmedError` when the exchange does not exist.
   */
  async publish(exchange: string, routingKey: string, content: Buffer, options: Options.Publish): Promise<void> {
    this.open('MemoryBroker.publish()');
    try {
      this.vhost.publish(exchange, routingKey, content, options);
    } catch (error) {
      throw new PublishNotConfirmedError(
        `publish to exchange '${exchange}' with routing key '${routingKey}' was not confirmed: ${(error as Error).message}`,
      );
    }
  }

  /** Routes the message without a confirm; failures are logged, never thrown. */
  publishUnconfirmed(exchange: string, routingKey: string, content: Buffer, options: Options.Publish): void {
    try {
      this.open('MemoryBroker.publishUnconfirmed()');
      this.vhost.publish(exchange, routingKey, content, options);
    } catch (error) {
      this.logger.warn?.(MemoryBrokerMessages.unconfirmedLost(routingKey, (error as Error).message));
    }
  }

  /**
   * Starts a consumer. Messages arrive asynchronously, round-robin among the queue's consumers,
   * at most `prefetch` unacknowledged at a time (unless `noAck`).
   * @throws EntityNotFoundError when the queue does not exist; ResourceLockedError when it is exclusive to another connection or consumer
   */
  async consume(queue: string, onDelivery: (delivery: Delivery) => void, options: ConsumeOptions): Promise<ConsumerHandle> {
    this.open('MemoryBroker.consume()');
    const target = this.vhost.queueFor(queue, this.id);
    const consumer = new MemoryConsumer(target, `amq.ctag-memory-${++consumerTags}`, onDelivery, options, this.logger, (done) =>
      this.consumers.delete(done),
    );
    target.addConsumer(consumer);
    this.consumers.add(consumer);
    return consumer;
  }

  /**
   * Closes this connection: consumers stop, their unacknowledged messages go back to their
   * queues (redelivered), exclusive queues are deleted. Further operations fail with
   * `BrokerClosedError`. Idempotent. The vhost and the other brokers on it keep working.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.statusSubject.next('closed');
    for (const consumer of this.consumers) consumer.close();
    this.consumers.clear();
    this.vhost.connectionClosed(this.id);
    this.statusSubject.complete();
  }

  private open(operation: string): void {
    if (this.closed) throw new BrokerClosedError(`${operation}: the broker was closed`);
    if (this.statusSubject.value === 'connecting') this.statusSubject.next('connected');
  }
}
