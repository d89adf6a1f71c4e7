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

/** A set of entities declared together, exchanges first, then queues, then bindings. */
export interface Topology {
  exchanges?: ExchangeDeclaration[];
  queues?: QueueDeclaration[];
  bindings?: BindingDeclaration[];
}

/** Options for {@link celeryQueueTopology}. */
export interface CeleryQueueTopologyOptions {
  /** Queue arguments, e.g. `x-max-priority` or `x-dead-letter-exchange`. Must match every other declarer's. */
  arguments?: Record<string, unknown>;
}

/**
 * What Celery declares for `queue=X`: durable queue `X` with no arguments, durable direct
 * exchange `X`, and binding `X` → `X` with routing key `X`.
 */
export function celeryQueueTopology(name: string, options: CeleryQueueTopologyOptions = {}): Topology {
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
