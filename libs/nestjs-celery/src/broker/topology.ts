/** An exchange as a declarative value, declared idempotently and again after a reconnect. */
export interface ExchangeDeclaration {
  name: string;
  type: 'direct' | 'topic' | 'fanout' | 'headers';
  durable?: boolean;
  autoDelete?: boolean;
  arguments?: Record<string, unknown>;
}

/** A queue as a declarative value. */
export interface QueueDeclaration {
  name: string;
  durable?: boolean;
  autoDelete?: boolean;
  exclusive?: boolean;
  arguments?: Record<string, unknown>;
}

/** A binding of a queue (or exchange) to an exchange with a routing key. */
export interface BindingDeclaration {
  queue: string;
  exchange: string;
  routingKey: string;
  arguments?: Record<string, unknown>;
}

/** A binding of one exchange to another (`exchange.bind`): messages routed by `source` with a matching key go on to `destination`. */
export interface ExchangeBindingDeclaration {
  destination: string;
  source: string;
  routingKey: string;
}

/** A set of entities declared together, exchanges first, then queues, then bindings, then exchange bindings. */
export interface Topology {
  exchanges?: ExchangeDeclaration[];
  queues?: QueueDeclaration[];
  bindings?: BindingDeclaration[];
  /** Exchange-to-exchange bindings (RabbitMQ only; the memory broker refuses them). */
  exchangeBindings?: ExchangeBindingDeclaration[];
}

/**
 * RabbitMQ's queue types a Celery queue can have: `classic` (declared without arguments, as
 * Celery does by default) or `quorum` (replicated across a cluster's nodes, declared with
 * `x-queue-type: quorum` only, as Celery 5.5 does for `task_default_queue_type = 'quorum'`).
 */
export type QueueType = 'classic' | 'quorum';

/** The queue argument naming a queue's type. */
export const QUEUE_TYPE_ARGUMENT = 'x-queue-type';

/** True when the queue is declared as a quorum queue. */
export function isQuorumQueue(queue: QueueDeclaration | undefined): boolean {
  return queue?.arguments?.[QUEUE_TYPE_ARGUMENT] === 'quorum';
}

/**
 * `topology` with every durable, shared queue (not exclusive, not auto-deleted, no type of its
 * own) declared as `queueType`: `quorum` adds `x-queue-type: quorum` and nothing else (Celery
 * 5.5's declaration, so both sides declare alike); `classic` or undefined changes nothing.
 * Returns `topology` itself when nothing changes.
 */
export function withQueueType(topology: Topology, queueType: QueueType | undefined): Topology {
  if (queueType !== 'quorum' || !topology.queues?.some(takesQueueType)) return topology;
  return {
    ...topology,
    queues: topology.queues.map((queue) =>
      takesQueueType(queue) ? { ...queue, arguments: { ...(queue.arguments ?? {}), [QUEUE_TYPE_ARGUMENT]: 'quorum' } } : queue,
    ),
  };
}

function takesQueueType(queue: QueueDeclaration): boolean {
  return queue.durable !== false && !queue.exclusive && !queue.autoDelete && queue.arguments?.[QUEUE_TYPE_ARGUMENT] === undefined;
}

/** Options for {@link celeryQueueTopology}. */
export interface CeleryQueueTopologyOptions {
  /** Queue arguments, e.g. `x-max-priority` or `x-dead-letter-exchange`. Must match every other declarer's. */
  arguments?: Record<string, unknown>;
  /** `quorum` declares the queue with `x-queue-type: quorum` (Celery 5.5's way). Default classic. */
  queueType?: QueueType;
}

/**
 * What Celery declares for `queue=X`: durable queue `X` with no arguments, durable direct
 * exchange `X`, and binding `X` → `X` with routing key `X`.
 */
export function celeryQueueTopology(name: string, options: CeleryQueueTopologyOptions = {}): Topology {
  if (options.queueType === 'quorum') return withQueueType(celeryQueueTopology(name, { arguments: options.arguments }), 'quorum');
  return {
    exchanges: [{ name, type: 'direct', durable: true, autoDelete: false }],
    queues: [{ name, durable: true, autoDelete: false, exclusive: false, arguments: options.arguments }],
    bindings: [{ queue: name, exchange: name, routingKey: name }],
  };
}

/** Celery's rpc:// reply queue: transient, auto-deleted, expiring after `expiresMs` unused (1 day). */
export function rpcReplyQueue(name: string, expiresMs = 86_400_000): QueueDeclaration {
  return { name, durable: false, autoDelete: true, exclusive: false, arguments: { 'x-expires': expiresMs } };
}
