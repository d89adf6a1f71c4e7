import type { ExchangeBindingDeclaration, QueueType, Topology } from '../broker/topology.js';

/**
 * Celery 5.5's native delayed delivery on RabbitMQ (kombu's `transport/native_delayed_delivery.py`,
 * Celery's `worker/consumer/delayed_delivery.py`), so countdown and ETA tasks wait in the broker
 * instead of unacknowledged on a worker: 28 levels `celery_delayed_0` … `celery_delayed_27`, each
 * a topic exchange and a queue whose messages live 2^level seconds and then dead-letter to the
 * next lower level; a message's routing key is the delay in 28 binary digits followed by the
 * target routing key, so each level keeps it (bit 1) or passes it on at once (bit 0). Level 0
 * dead-letters to the `celery_delayed_delivery` exchange, bound to every target exchange.
 */
export const DELAYED_DELIVERY_LEVELS = 28;
/** The exchange a delayed message is published to (the highest level). */
export const DELAYED_DELIVERY_ENTRY_EXCHANGE = `celery_delayed_${DELAYED_DELIVERY_LEVELS - 1}`;
/** Where delayed messages arrive when due; bound to the target exchanges. */
export const DELAYED_DELIVERY_EXCHANGE = 'celery_delayed_delivery';
/** The longest delay the 28 levels express: 2^28 - 1 seconds (about 8.5 years). */
export const MAX_NATIVE_DELAY_SECONDS = 2 ** DELAYED_DELIVERY_LEVELS - 1;

/** kombu's `level_name`. */
export function delayedLevelName(level: number): string {
  return `celery_delayed_${level}`;
}

/**
 * What kombu's `declare_native_delayed_delivery_exchanges_and_queues(connection, queueType)`
 * declares, entity for entity (same names, types and queue arguments, so RabbitMQ accepts both
 * sides' declarations). Celery 5.5 uses `queueType = 'quorum'` by default
 * (`broker_native_delayed_delivery_queue_type`).
 */
export function nativeDelayedDeliveryTopology(queueType: QueueType = 'quorum'): Topology {
  const topology: Required<Pick<Topology, 'exchanges' | 'queues' | 'bindings' | 'exchangeBindings'>> = {
    exchanges: [],
    queues: [],
    bindings: [],
    exchangeBindings: [],
  };
  let routingKey = '1.#';
  for (let level = DELAYED_DELIVERY_LEVELS - 1; level >= 0; level--) {
    const name = delayedLevelName(level);
    topology.exchanges.push({ name, type: 'topic', durable: true, autoDelete: false });
    const args: Record<string, unknown> = {
      'x-queue-type': queueType,
      'x-overflow': 'reject-publish',
      'x-message-ttl': 2 ** level * 1000,
      'x-dead-letter-exchange': level > 0 ? delayedLevelName(level - 1) : DELAYED_DELIVERY_EXCHANGE,
    };
    if (queueType === 'quorum') args['x-dead-letter-strategy'] = 'at-least-once';
    topology.queues.push({ name, durable: true, autoDelete: false, exclusive: false, arguments: args });
    topology.bindings.push({ queue: name, exchange: name, routingKey });
    routingKey = `*.${routingKey}`;
  }
  routingKey = '0.#';
  for (let level = DELAYED_DELIVERY_LEVELS - 1; level > 0; level--) {
    topology.exchangeBindings.push({ destination: delayedLevelName(level - 1), source: delayedLevelName(level), routingKey });
    routingKey = `*.${routingKey}`;
  }
  topology.exchanges.push({ name: DELAYED_DELIVERY_EXCHANGE, type: 'topic', durable: true, autoDelete: false });
  topology.exchangeBindings.push({ destination: DELAYED_DELIVERY_EXCHANGE, source: delayedLevelName(0), routingKey });
  return topology;
}

/**
 * kombu's `bind_queue_to_native_delayed_delivery_exchange` for one queue: each of its bindings to
 * a topic or fanout exchange is repeated with key `#.<key>` (a key starting with `#` as it is),
 * and that exchange is bound to `celery_delayed_delivery` with the same key. Bindings to direct
 * exchanges are skipped (returned in `skipped`), as kombu does with a warning: ETA tasks sent
 * there are held by the worker instead.
 */
export function delayedDeliveryBindings(topology: Topology): { topology: Topology; skipped: string[] } {
  const types = new Map((topology.exchanges ?? []).map((exchange) => [exchange.name, exchange.type]));
  const bindings: NonNullable<Topology['bindings']> = [];
  const exchangeBindings: ExchangeBindingDeclaration[] = [];
  const skipped: string[] = [];
  for (const binding of topology.bindings ?? []) {
    const type = types.get(binding.exchange);
    if (binding.exchange === '' || type === undefined || type === 'direct' || type === 'headers') {
      skipped.push(binding.exchange || '(default exchange)');
      continue;
    }
    const routingKey = binding.routingKey.startsWith('#') ? binding.routingKey : `#.${binding.routingKey}`;
    exchangeBindings.push({ destination: binding.exchange, source: DELAYED_DELIVERY_EXCHANGE, routingKey });
    bindings.push({ queue: binding.queue, exchange: binding.exchange, routingKey });
  }
  return { topology: { bindings, exchangeBindings }, skipped };
}

/**
 * kombu's `calculate_routing_key(countdown, routing_key)`: the whole seconds of the delay in 28
 * binary digits, dot-separated, then the target routing key.
 * @throws RangeError for a delay under 1 s or over {@link MAX_NATIVE_DELAY_SECONDS}, or an empty key
 */
export function delayedRoutingKey(countdownSeconds: number, routingKey: string): string {
  const seconds = Math.floor(countdownSeconds);
  if (!(seconds >= 1)) throw new RangeError('countdown must be at least 1 second for native delayed delivery');
  if (seconds > MAX_NATIVE_DELAY_SECONDS) throw new RangeError(`countdown must be at most ${MAX_NATIVE_DELAY_SECONDS} seconds for native delayed delivery`);
  if (!routingKey) throw new RangeError('routing key must be non-empty');
  return `${seconds.toString(2).padStart(DELAYED_DELIVERY_LEVELS, '0').split('').join('.')}.${routingKey}`;
}
