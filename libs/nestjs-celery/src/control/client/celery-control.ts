import { randomUUID } from 'node:crypto';
import { Logger, type LoggerService } from '@nestjs/common';
import type { ConsumerHandle } from '../../broker/amqp-broker.js';
import type { Delivery } from '../../broker/delivery.js';
import type { BroadcastOptions, ControlTarget } from './broadcast.options.js';
import { CeleryInspect, type InspectOptions } from './celery-inspect.js';
import { CeleryControlCallError } from '../control.errors.js';
import { ControlMessages } from '../control.messages.js';
import type { ControlBroker } from '../control-broker.js';
import type { ControlOk, ControlReply } from '../control-message.js';
import { decodeControlReply, encodeControlRequest } from '../control-message.codec.js';
import { LamportClock } from '../lamport-clock.js';
import { PIDBOX_EXCHANGE, PIDBOX_EXCHANGES, PIDBOX_REPLY_EXCHANGE, replyQueueName, replyTopology } from '../pidbox.topology.js';
import { ReplyCollector } from './reply-collector.js';
import { mergeReplies } from '../reply-map.js';
import { buildTaskCatalog, type TaskCatalog } from './task-catalog.js';

/** Default wait for replies, in ms: Celery's `timeout=1.0`. */
export const DEFAULT_CONTROL_TIMEOUT_MS = 1000;

/** Options of {@link CeleryControl.revoke}. */
export interface RevokeOptions extends ControlTarget {
  /** Also stop running tasks: Python workers kill the process; Nest workers abort `ctx.signal`. */
  terminate?: boolean;
  /** Signal for Python workers' terminate. Default `SIGTERM`. */
  signal?: string;
  /** Wait for the workers' `{ ok }` replies. Default false (a cast, as `app.control.revoke`). */
  reply?: boolean;
  timeoutMs?: number;
}

/** Options of {@link CeleryControl.rateLimit}. */
export interface RateLimitOptions extends ControlTarget {
  /** Wait for the workers' `{ ok }` / `{ error }` replies. Default false (a cast, as `app.control.rate_limit`). */
  reply?: boolean;
  timeoutMs?: number;
}

function checkTarget(target: ControlTarget): void {
  if (target.destination !== undefined && (!Array.isArray(target.destination) || target.destination.some((d) => typeof d !== 'string'))) {
    throw new CeleryControlCallError("control option 'destination' must be an array of node names");
  }
  if (target.matcher !== undefined && target.matcher !== 'glob' && target.matcher !== 'pcre') {
    throw new CeleryControlCallError(`control option 'matcher' must be 'glob' or 'pcre', got ${String(target.matcher)}`);
  }
}

/**
 * Celery's `app.control` for Nest: broadcasts remote control commands on `celery.pidbox` and
 * collects the replies of Python and Nest workers alike. Replies come back on one reply queue
 * per instance, `<uuid>.reply.celery.pidbox` bound to `reply.celery.pidbox`, matched by
 * `ticket` (Python makes a new queue per call; one per client avoids a queue per call).
 *
 * ```ts
 * const pongs = await client.control.ping();            // { 'w1@host': { ok: 'pong' }, … }
 * const tasks = await client.control.inspect().registered();
 * await client.control.revoke(taskId);
 * ```
 */
export class CeleryControl {
  /** Routing key of this instance's reply queue (kombu's `oid`). */
  readonly oid = randomUUID();
  private readonly clock = new LamportClock();
  private readonly pending = new Map<string, ReplyCollector>();
  private readonly logger: LoggerService;
  private started?: Promise<ConsumerHandle>;
  private closed = false;

  constructor(
    private readonly broker: ControlBroker,
    options: { logger?: LoggerService } = {},
  ) {
    this.logger = options.logger ?? new Logger('CeleryControl');
  }

  /** Name of the reply queue. */
  get replyQueue(): string {
    return replyQueueName(this.oid);
  }

  /**
   * Publishes a control command to every worker (or `destination`/`pattern`). With
   * `reply: true`, resolves with the replies, one `{ node: reply }` object each, in arrival order.
   */
  async broadcast<T = unknown>(command: string, options: BroadcastOptions = {}): Promise<Array<ControlReply<T>>> {
    if (this.closed) throw new CeleryControlCallError('CeleryControl is closed');
    if (typeof command !== 'string' || command === '') throw new CeleryControlCallError('control command must be a non-empty string');
    checkTarget(options);
    const destination = options.destination?.length ? options.destination : null;
    const timeoutMs = options.timeoutMs ?? DEFAULT_CONTROL_TIMEOUT_MS;
    const headers = { clock: this.clock.forward(), expires: options.reply ? Date.now() / 1000 + timeoutMs / 1000 : 0 };
    const spec = {
      method: command,
      arguments: options.arguments ?? {},
      destination,
      pattern: options.pattern ?? null,
      matcher: options.pattern ? (options.matcher ?? 'glob') : null,
    };
    if (!options.reply) {
      await this.broker.declare({ exchanges: PIDBOX_EXCHANGES });
      await this.publish(encodeControlRequest(spec), headers);
      return [];
    }
    await this.startReplies();
    const ticket = randomUUID();
    const limit = options.limit ?? (destination ? destination.length : null);
    const collector = new ReplyCollector(timeoutMs, limit, options.onReply);
    this.pending.set(ticket, collector);
    try {
      await this.publish(encodeControlRequest({ ...spec, ticket, replyTo: { exchange: PIDBOX_REPLY_EXCHANGE, routingKey: this.oid } }), headers);
      return (await collector.done) as Array<ControlReply<T>>;
    } finally {
      collector.end();
      this.pending.delete(ticket);
    }
  }

  /** Pings the workers: `{ node: { ok: 'pong' } }` per live worker (Celery's `inspect ping`). */
  ping(options: InspectOptions = {}): Promise<ControlReply<ControlOk>> {
    return this.inspect(options).ping();
  }

  /** Celery's `app.control.inspect()`: read-only queries answered by each worker. */
  inspect(options: InspectOptions = {}): CeleryInspect {
    return new CeleryInspect(this, options);
  }

  /**
   * Revokes task ids (Celery's `app.control.revoke`): workers remember them and answer REVOKED
   * instead of running them. A cast by default (resolves with `{}`); with `reply: true`,
   * resolves with each worker's `{ ok: 'tasks … flagged as revoked' }`.
   */
  async revoke(ids: string | string[], options: RevokeOptions = {}): Promise<ControlReply<ControlOk>> {
    const list = Array.isArray(ids) ? ids : [ids];
    if (list.length === 0 || list.some((id) => typeof id !== 'string' || id === '')) {
      throw new CeleryControlCallError('revoke() needs a task id or a non-empty array of task ids');
    }
    const replies = await this.broadcast<ControlOk>('revoke', {
      ...options,
      arguments: { task_id: Array.isArray(ids) ? list : ids, terminate: options.terminate ?? false, signal: options.signal ?? 'SIGTERM' },
    });
    return mergeReplies(replies);
  }

  /**
   * Sets a task's rate limit on the workers at run time (Celery's `app.control.rate_limit`):
   * `'100/s'`, `'10/m'`, `'5/h'`, a number per second, or `''` / `0` to remove it. Python and Nest
   * workers alike answer `{ ok: 'new rate limit set successfully' }`, or `{ error: 'unknown task' }`
   * when they do not have the task. A cast by default (resolves with `{}`).
   */
  async rateLimit(taskName: string, rate: string | number, options: RateLimitOptions = {}): Promise<ControlReply<ControlOk | { error: string }>> {
    if (typeof taskName !== 'string' || taskName === '') throw new CeleryControlCallError('rateLimit() needs a task name');
    if (typeof rate !== 'string' && typeof rate !== 'number') throw new CeleryControlCallError("rateLimit() needs a rate like '10/m', '5/s' or '' to remove it");
    const replies = await this.broadcast<ControlOk | { error: string }>('rate_limit', { ...options, arguments: { task_name: taskName, rate_limit: rate } });
    return mergeReplies(replies);
  }

  /**
   * What the live cluster offers: asks every worker (Python and Nest) for `registered` and
   * `active_queues` and joins them into `{ tasks: { name: { queues, workers, route } }, workers }`.
   */
  async catalog(options: InspectOptions = {}): Promise<TaskCatalog> {
    const inspect = this.inspect(options);
    const [registered, queues] = await Promise.all([inspect.registered(), inspect.activeQueues()]);
    return buildTaskCatalog(registered, queues);
  }

  /** Stops the reply consumer; pending calls end with what they collected. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const collector of this.pending.values()) collector.end();
    const started = this.started;
    this.started = undefined;
    if (started) await (await started.catch(() => undefined))?.cancel();
  }

  private publish(body: Buffer, headers: Record<string, unknown>): Promise<void> {
    return this.broker.publish(PIDBOX_EXCHANGE, '', body, {
      contentType: 'application/json',
      contentEncoding: 'utf-8',
      deliveryMode: 2,
      headers,
    });
  }

  private startReplies(): Promise<ConsumerHandle> {
    this.started ??= (async () => {
      await this.broker.declare(replyTopology(this.oid));
      return this.broker.consume(this.replyQueue, (delivery) => this.onReply(delivery), { prefetch: 0, noAck: true });
    })();
    this.started.catch(() => (this.started = undefined));
    return this.started;
  }

  private onReply(delivery: Delivery): void {
    const headers = delivery.message.properties.headers ?? {};
    this.clock.adjust(headers.clock);
    const collector = typeof headers.ticket === 'string' ? this.pending.get(headers.ticket) : undefined;
    if (!collector) return;
    try {
      collector.add(decodeControlReply(delivery.message.content));
    } catch (error) {
      this.logger.warn?.(ControlMessages.malformedReply((error as Error).message));
    }
  }
}
