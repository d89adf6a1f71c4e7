import type { GetMessage, Options } from 'amqplib';
import type { BindingDeclaration, ExchangeDeclaration, QueueDeclaration } from '../topology.js';
import { deadLetterProperties, isDeadLetterCycle } from './dead-letter.properties.js';
import { EntityNotFoundError, PreconditionFailedError } from './memory-broker.errors.js';
import { MemoryExchange } from './memory-exchange.js';
import { MemoryQueue, type DeathReason, type QueueHost, type QueueSettings, type QueueStats } from './memory-queue.js';
import { plainFieldTable, toMessageProperties } from './message-properties.mapper.js';
import type { PublishedMessage } from './published-message.js';
import type { QueuedMessage } from './queued-message.js';

/** Options of a {@link MemoryVhost}. */
export interface MemoryVhostOptions {
  /** Shown in error messages. Default `memory`. */
  name?: string;
  /** How many published messages to remember for `awaitPublished(..., { past: true })`. Default 1000; 0 keeps none. */
  historyLimit?: number;
}

/** Queue arguments RabbitMQ compares when a queue is declared again. */
const EQUIVALENCE_ARGUMENTS = [
  'x-dead-letter-exchange',
  'x-dead-letter-routing-key',
  'x-delivery-limit',
  'x-expires',
  'x-max-length',
  'x-max-length-bytes',
  'x-max-priority',
  'x-message-ttl',
  'x-overflow',
  'x-queue-mode',
  'x-queue-type',
  'x-single-active-consumer',
];

function shown(value: unknown): string {
  return value === undefined ? 'none' : typeof value === 'string' ? value : JSON.stringify(value);
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function optionalInteger(args: Record<string, unknown>, key: string, queue: string, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  const value = args[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new PreconditionFailedError(`PRECONDITION_FAILED - invalid arg '${key}' for queue '${queue}': ${shown(value)} is not an integer in ${min}..${max}`);
  }
  return value;
}

function optionalString(args: Record<string, unknown>, key: string, queue: string): string | undefined {
  const value = args[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') {
    throw new PreconditionFailedError(`PRECONDITION_FAILED - invalid arg '${key}' for queue '${queue}': ${shown(value)} is not a string`);
  }
  return value;
}

/**
 * The broker-side state of the in-memory broker, shared by every `MemoryBroker` connected to it
 * (like a RabbitMQ virtual host): exchanges (`''` default, `amq.direct`, `amq.topic`,
 * `amq.fanout` predeclared), queues, bindings, routing and dead-lettering, with RabbitMQ's
 * declaration rules (PRECONDITION_FAILED on inequivalent re-declaration, NOT_FOUND, exclusive
 * ownership). It also records published messages for tests.
 */
export class MemoryVhost implements QueueHost {
  private static readonly registry = new Map<string, MemoryVhost>();

  /** The process-wide vhost of this name (created on first use): what `memory://<name>` URLs connect to. */
  static shared(name: string): MemoryVhost {
    let vhost = MemoryVhost.registry.get(name);
    if (!vhost) {
      vhost = new MemoryVhost({ name });
      MemoryVhost.registry.set(name, vhost);
    }
    return vhost;
  }

  /** Forgets the shared vhost of this name (or all of them): the next `memory://` connection starts empty. */
  static resetShared(name?: string): void {
    if (name === undefined) MemoryVhost.registry.clear();
    else MemoryVhost.registry.delete(name);
  }

  readonly name: string;
  private readonly exchanges = new Map<string, MemoryExchange>();
  private readonly queues = new Map<string, MemoryQueue>();
  private readonly listeners = new Set<(message: PublishedMessage) => void>();
  private readonly history: PublishedMessage[] = [];
  private readonly historyLimit: number;

  constructor(options: MemoryVhostOptions = {}) {
    this.name = options.name ?? 'memory';
    this.historyLimit = options.historyLimit ?? 1000;
    for (const type of ['direct', 'topic', 'fanout', 'headers'] as const) {
      const name = type === 'headers' ? 'amq.match' : `amq.${type}`;
      this.exchanges.set(name, new MemoryExchange(name, type, true, false, {}));
    }
  }

  /** Declares an exchange, or checks an existing one is equivalent (type, durable, auto-delete, alternate-exchange). */
  declareExchange(declaration: ExchangeDeclaration): void {
    const { name } = declaration;
    if (name === '') return;
    const durable = declaration.durable ?? true;
    const autoDelete = declaration.autoDelete ?? false;
    const args = plainFieldTable(declaration.arguments);
    const existing = this.exchanges.get(name);
    if (!existing) {
      this.exchanges.set(name, new MemoryExchange(name, declaration.type, durable, autoDelete, args));
      return;
    }
    const checks: Array<[string, unknown, unknown]> = [
      ['type', declaration.type, existing.type],
      ['durable', durable, existing.durable],
      ['auto_delete', autoDelete, existing.autoDelete],
      ['alternate-exchange', args['alternate-exchange'], existing.args['alternate-exchange']],
    ];
    for (const [arg, received, current] of checks) {
      if (!sameValue(received, current)) {
        throw new PreconditionFailedError(
          `PRECONDITION_FAILED - inequivalent arg '${arg}' for exchange '${name}' in vhost '${this.name}': received '${shown(received)}' but current is '${shown(current)}'`,
        );
      }
    }
  }

  /** Declares a queue for connection `connection`, or checks an existing one is equivalent. */
  declareQueue(declaration: QueueDeclaration, connection: number): void {
    const { name } = declaration;
    const args = plainFieldTable(declaration.arguments);
    const settings: QueueSettings = {
      durable: declaration.durable ?? true,
      autoDelete: declaration.autoDelete ?? false,
      exclusive: declaration.exclusive ?? false,
      owner: declaration.exclusive ? connection : undefined,
      arguments: args,
      messageTtl: optionalInteger(args, 'x-message-ttl', name, 0),
      expires: optionalInteger(args, 'x-expires', name, 1),
      maxPriority: optionalInteger(args, 'x-max-priority', name, 1, 255),
      deadLetterExchange: optionalString(args, 'x-dead-letter-exchange', name),
      deadLetterRoutingKey: optionalString(args, 'x-dead-letter-routing-key', name),
    };
    const existing = this.queues.get(name);
    if (!existing) {
      this.queues.set(name, new MemoryQueue(name, settings, this));
      return;
    }
    existing.checkAccess(connection);
    const current = existing.settings;
    const currentArgs = current.arguments;
    const checks: Array<[string, unknown, unknown]> = [
      ['durable', settings.durable, current.durable],
      ['auto_delete', settings.autoDelete, current.autoDelete],
      ['exclusive', settings.exclusive, current.exclusive],
      ...EQUIVALENCE_ARGUMENTS.map((key): [string, unknown, unknown] => [key, args[key], currentArgs[key]]),
    ];
    for (const [arg, received, present] of checks) {
      if (!sameValue(received, present)) {
        throw new PreconditionFailedError(
          `PRECONDITION_FAILED - inequivalent arg '${arg}' for queue '${name}' in vhost '${this.name}': received '${shown(received)}' but current is '${shown(present)}'`,
        );
      }
    }
    existing.touch();
  }

  /** Binds a queue to an exchange (both must exist); binding to the default exchange is implicit. */
  bind(declaration: BindingDeclaration, connection: number): void {
    if (declaration.exchange === '') return;
    const queue = this.queueFor(declaration.queue, connection);
    const exchange = this.exchangeFor(declaration.exchange);
    exchange.bind(queue, declaration.routingKey, plainFieldTable(declaration.arguments));
  }

  /** The queue of this name, if connection `connection` may use it. */
  queueFor(name: string, connection: number): MemoryQueue {
    const queue = this.queues.get(name);
    if (!queue) throw new EntityNotFoundError(`NOT_FOUND - no queue '${name}' in vhost '${this.name}'`);
    queue.checkAccess(connection);
    return queue;
  }

  /**
   * Routes a message and queues it everywhere it matches; unroutable messages are dropped.
   * @throws EntityNotFoundError when the exchange does not exist
   */
  publish(exchangeName: string, routingKey: string, content: Buffer, options: Options.Publish): PublishedMessage {
    const exchange = exchangeName === '' ? undefined : this.exchangeFor(exchangeName);
    const { properties, extraRoutingKeys } = toMessageProperties(options);
    const body = Buffer.from(content);
    const targets = new Set<MemoryQueue>();
    this.route(exchange, routingKey, properties.headers ?? {}, targets);
    for (const key of extraRoutingKeys) this.route(exchange, key, properties.headers ?? {}, targets);
    const now = Date.now();
    for (const queue of targets) queue.enqueue(body, properties, exchangeName, routingKey, now);
    const published: PublishedMessage = {
      exchange: exchangeName,
      routingKey,
      content: body,
      properties,
      queues: [...targets].map((q) => q.name),
      publishedAt: now,
    };
    if (this.historyLimit > 0) {
      this.history.push(published);
      // Trimmed in batches: one splice per `historyLimit` publishes, not one per publish.
      if (this.history.length >= 2 * this.historyLimit) this.history.splice(0, this.history.length - this.historyLimit);
    }
    for (const listener of this.listeners) listener(published);
    return published;
  }

  /** {@inheritDoc QueueHost.deadLetter} */
  deadLetter(queue: MemoryQueue, message: QueuedMessage, reason: DeathReason): void {
    const { deadLetterExchange, deadLetterRoutingKey } = queue.settings;
    if (deadLetterExchange === undefined) return;
    const exchange = deadLetterExchange === '' ? undefined : this.exchanges.get(deadLetterExchange);
    if (deadLetterExchange !== '' && !exchange) return; // RabbitMQ drops it as well
    const now = Date.now();
    const properties = deadLetterProperties(message, queue.name, reason, now);
    const routingKey = deadLetterRoutingKey ?? message.routingKey;
    const targets = new Set<MemoryQueue>();
    this.route(exchange, routingKey, properties.headers ?? {}, targets);
    for (const target of targets) {
      if (!isDeadLetterCycle(properties, target.name)) target.enqueue(message.content, properties, deadLetterExchange, routingKey, now);
    }
  }

  /** {@inheritDoc QueueHost.deleteQueue} */
  deleteQueue(queue: MemoryQueue): void {
    if (this.queues.get(queue.name) !== queue) return;
    this.queues.delete(queue.name);
    for (const consumer of queue.destroy()) void consumer.cancel();
    for (const exchange of [...this.exchanges.values()]) {
      exchange.unbindQueue(queue);
      if (exchange.unused) this.exchanges.delete(exchange.name);
    }
  }

  /** A connection closed: its exclusive queues are deleted. */
  connectionClosed(connection: number): void {
    for (const queue of [...this.queues.values()]) {
      if (queue.settings.exclusive && queue.settings.owner === connection) this.deleteQueue(queue);
    }
  }

  /** Calls `listener` with every message published from now on; returns the unsubscribe function. */
  onPublished(listener: (message: PublishedMessage) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The most recently published messages (up to `historyLimit`), oldest first. */
  published(): readonly PublishedMessage[] {
    return this.history.slice(-this.historyLimit);
  }

  /** Counts of a queue, or undefined when it does not exist. */
  inspectQueue(name: string): QueueStats | undefined {
    return this.queues.get(name)?.stats();
  }

  /** Takes one message from a queue without a consumer (`basic.get`, no-ack); undefined when empty. */
  get(queueName: string): GetMessage | undefined {
    const queue = this.queues.get(queueName);
    if (!queue) throw new EntityNotFoundError(`NOT_FOUND - no queue '${queueName}' in vhost '${this.name}'`);
    const message = queue.take();
    if (!message) return undefined;
    return {
      content: message.content,
      fields: {
        deliveryTag: 0,
        redelivered: message.redelivered,
        exchange: message.exchange,
        routingKey: message.routingKey,
        messageCount: queue.stats().ready,
      },
      properties: message.properties,
    };
  }

  /** Drops the ready messages of a queue; returns how many. */
  purge(queueName: string): number {
    return this.queues.get(queueName)?.purge() ?? 0;
  }

  /** Names of the existing queues, sorted. */
  queueNames(): string[] {
    return [...this.queues.keys()].sort();
  }

  /** Names of the existing exchanges (without the default `''`), sorted. */
  exchangeNames(): string[] {
    return [...this.exchanges.keys()].sort();
  }

  private exchangeFor(name: string): MemoryExchange {
    const exchange = this.exchanges.get(name);
    if (!exchange) throw new EntityNotFoundError(`NOT_FOUND - no exchange '${name}' in vhost '${this.name}'`);
    return exchange;
  }

  private route(exchange: MemoryExchange | undefined, routingKey: string, headers: Record<string, unknown>, into: Set<MemoryQueue>): void {
    if (exchange) {
      exchange.route(routingKey, headers, into);
      return;
    }
    const queue = this.queues.get(routingKey); // the default exchange: routing key = queue name
    if (queue) into.add(queue);
  }
}
