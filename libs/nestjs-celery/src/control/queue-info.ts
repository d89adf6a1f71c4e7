import type { ExchangeDeclaration, QueueDeclaration, Topology } from '../broker/topology.js';

/** kombu's `Exchange.as_dict()`, as Celery's `inspect active_queues` returns it. */
export interface KombuExchangeInfo {
  name: string;
  type: string;
  arguments: Record<string, unknown> | null;
  durable: boolean;
  passive: boolean;
  auto_delete: boolean;
  delivery_mode: number | null;
  no_declare: boolean;
}

/** kombu's `Queue.as_dict(recurse=True)`: one entry of `inspect active_queues`. */
export interface KombuQueueInfo {
  name: string;
  exchange: KombuExchangeInfo;
  routing_key: string;
  queue_arguments: Record<string, unknown> | null;
  binding_arguments: Record<string, unknown> | null;
  consumer_arguments: Record<string, unknown> | null;
  durable: boolean;
  exclusive: boolean;
  auto_delete: boolean;
  no_ack: boolean;
  alias: string | null;
  bindings: unknown[];
  no_declare: boolean | null;
  expires: number | null;
  message_ttl: number | null;
  max_length: number | null;
  max_length_bytes: number | null;
  max_priority: number | null;
}

function numberArgument(args: Record<string, unknown> | undefined, key: string, scale = 1): number | null {
  const value = args?.[key];
  return typeof value === 'number' ? value / scale : null;
}

/** kombu keeps these out of `queue_arguments`: they are the Queue's own attributes. */
const QUEUE_ATTRIBUTE_ARGUMENTS = ['x-expires', 'x-message-ttl', 'x-max-length', 'x-max-length-bytes', 'x-max-priority'];

/** The `active_queues` entry of a queue bound to an exchange with a routing key. */
export function toKombuQueueInfo(queue: QueueDeclaration, exchange: ExchangeDeclaration, routingKey: string): KombuQueueInfo {
  const args = queue.arguments;
  const rest = args ? Object.fromEntries(Object.entries(args).filter(([k]) => !QUEUE_ATTRIBUTE_ARGUMENTS.includes(k))) : {};
  return {
    name: queue.name,
    exchange: {
      name: exchange.name,
      type: exchange.type,
      arguments: exchange.arguments ?? null,
      durable: exchange.durable ?? true,
      passive: false,
      auto_delete: exchange.autoDelete ?? false,
      delivery_mode: null,
      no_declare: false,
    },
    routing_key: routingKey,
    queue_arguments: Object.keys(rest).length > 0 ? rest : null,
    binding_arguments: null,
    consumer_arguments: null,
    durable: queue.durable ?? true,
    exclusive: queue.exclusive ?? false,
    auto_delete: queue.autoDelete ?? false,
    no_ack: false,
    alias: null,
    bindings: [],
    no_declare: null,
    expires: numberArgument(args, 'x-expires', 1000),
    message_ttl: numberArgument(args, 'x-message-ttl', 1000),
    max_length: numberArgument(args, 'x-max-length'),
    max_length_bytes: numberArgument(args, 'x-max-length-bytes'),
    max_priority: numberArgument(args, 'x-max-priority'),
  };
}

/**
 * The `active_queues` entries of a consumed queue from the topology that declared it: one per
 * binding of the queue (the first binding's exchange and key, as kombu reports a Queue), or a
 * default-exchange entry when the queue has no binding.
 */
export function queueInfoFromTopology(queueName: string, topology: Topology): KombuQueueInfo {
  const queue = topology.queues?.find((q) => q.name === queueName) ?? { name: queueName };
  const binding = topology.bindings?.find((b) => b.queue === queueName);
  const exchange = (binding && topology.exchanges?.find((e) => e.name === binding.exchange)) ?? {
    name: binding?.exchange ?? '',
    type: 'direct' as const,
  };
  return toKombuQueueInfo(queue, exchange, binding?.routingKey ?? queueName);
}
