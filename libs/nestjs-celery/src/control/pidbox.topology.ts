import type { ExchangeDeclaration, QueueDeclaration, Topology } from '../broker/topology.js';

/** Celery's control namespace (`control_exchange`): entities are named `<namespace>.pidbox`. */
export const CONTROL_NAMESPACE = 'celery';

/** The broadcast exchange every worker's mailbox queue is bound to (kombu `Mailbox.exchange`). */
export const PIDBOX_EXCHANGE = `${CONTROL_NAMESPACE}.pidbox`;

/** The direct exchange control replies go to (kombu `Mailbox.reply_exchange`). */
export const PIDBOX_REPLY_EXCHANGE = `reply.${CONTROL_NAMESPACE}.pidbox`;

/** Celery's `control_queue_ttl` (300 s) as `x-message-ttl`, for mailbox and reply queues. */
export const CONTROL_QUEUE_TTL_MS = 300_000;

/** Celery's `control_queue_expires` (10 s) as `x-expires`, for mailbox and reply queues. */
export const CONTROL_QUEUE_EXPIRES_MS = 10_000;

/** The two pidbox exchanges, as kombu declares them: non-durable, not auto-deleted. */
export const PIDBOX_EXCHANGES: ExchangeDeclaration[] = [
  { name: PIDBOX_EXCHANGE, type: 'fanout', durable: false, autoDelete: false },
  { name: PIDBOX_REPLY_EXCHANGE, type: 'direct', durable: false, autoDelete: false },
];

function controlQueue(name: string): QueueDeclaration {
  return {
    name,
    durable: false,
    autoDelete: true,
    exclusive: false,
    arguments: { 'x-message-ttl': CONTROL_QUEUE_TTL_MS, 'x-expires': CONTROL_QUEUE_EXPIRES_MS },
  };
}

/** Name of a worker's mailbox queue, `<nodename>.celery.pidbox`. */
export function mailboxQueueName(nodeName: string): string {
  return `${nodeName}.${CONTROL_NAMESPACE}.pidbox`;
}

/** Name of a client's reply queue, `<oid>.reply.celery.pidbox`. */
export function replyQueueName(oid: string): string {
  return `${oid}.${PIDBOX_REPLY_EXCHANGE}`;
}

/**
 * What a Celery 5.2 worker declares for remote control (kombu `Mailbox.get_queue`): the
 * non-durable fanout exchange `celery.pidbox` and the auto-deleted queue
 * `<nodename>.celery.pidbox` (TTL 300 s, expires 10 s) bound to it with routing key `''`.
 * The reply exchange is declared too, as kombu does before each reply.
 */
export function mailboxTopology(nodeName: string): Topology {
  const queue = mailboxQueueName(nodeName);
  return {
    exchanges: PIDBOX_EXCHANGES,
    queues: [controlQueue(queue)],
    bindings: [{ queue, exchange: PIDBOX_EXCHANGE, routingKey: '' }],
  };
}

/**
 * What a Celery client declares to collect control replies (kombu `Mailbox.get_reply_queue`):
 * queue `<oid>.reply.celery.pidbox` bound to the direct exchange `reply.celery.pidbox` with
 * routing key `<oid>`, plus the request exchange it publishes to.
 */
export function replyTopology(oid: string): Topology {
  const queue = replyQueueName(oid);
  return {
    exchanges: PIDBOX_EXCHANGES,
    queues: [controlQueue(queue)],
    bindings: [{ queue, exchange: PIDBOX_REPLY_EXCHANGE, routingKey: oid }],
  };
}
