import { randomUUID } from 'node:crypto';
import { Logger, type LoggerService } from '@nestjs/common';
import type { Broker, ConsumerHandle } from '../broker/broker.js';
import type { Delivery } from '../broker/delivery.js';
import { rpcReplyQueue } from '../broker/topology.js';
import { isReadyState } from '../protocol/celery-state.js';
import { decodeResultMessage, type ResultMessage } from '../protocol/result-message.js';
import type { AsyncResult } from './async-result.js';
import type { ResultSlot } from './result-slot.js';
import type { TaskResults } from './task-results.js';

const UNCLAIMED_LIMIT = 1000;
/** The slots waiting for one id: usually one; several when `sendTask`'s result and `asyncResult(id)` both wait. */
type WaitingSlots = ResultSlot | ResultSlot[];

/**
 * Celery's rpc:// result backend, client side: one reply queue per client (not per call), one
 * no-ack consumer, results matched by `task_id` to the {@link AsyncResult}s waiting for them.
 * Results nobody waits for (yet) are kept, up to 1000, so `client.asyncResult(id)` can claim them.
 */
export class ResultConsumer implements TaskResults {
  /** Name of the reply queue, sent as `reply_to` on every task. */
  readonly queue: string;
  /**
   * The slots of the handles waiting for an id. A slot does not reach its handle, so a handle the
   * caller dropped is collected; the registry then forgets its slot.
   */
  private readonly pending = new Map<string, WaitingSlots>();
  private readonly unclaimed = new Map<string, ResultMessage>();
  private readonly finalizer = new FinalizationRegistry<ResultSlot>((slot) => this.forget(slot));
  private started?: Promise<ConsumerHandle>;
  private consumingReplies = false;
  private handle?: ConsumerHandle;
  private readonly logger: LoggerService;

  constructor(
    private readonly broker: Broker,
    options: { queue?: string; expiresMs?: number; logger?: LoggerService } = {},
  ) {
    this.queue = options.queue ?? randomUUID();
    this.expiresMs = options.expiresMs ?? 86_400_000;
    this.logger = options.logger ?? new Logger('CeleryResults');
  }

  private readonly expiresMs: number;

  /** Declares the reply queue and starts consuming it (once). */
  start(): Promise<ConsumerHandle> {
    if (this.started) return this.started; // every sendTask asks: no new promise once started
    const started = (async () => {
      await this.broker.declare({ queues: [rpcReplyQueue(this.queue, this.expiresMs)] });
      return this.broker.consume(this.queue, (delivery) => this.onReply(delivery), { prefetch: 0, noAck: true });
    })();
    this.started = started;
    started.then(
      (handle) => {
        if (this.started === started) {
          this.consumingReplies = true;
          this.handle = handle;
        }
      },
      () => {
        if (this.started === started) this.started = undefined;
      },
    );
    return started;
  }

  /** The reply queue, sent as `reply_to`. */
  get replyTo(): string {
    return this.queue;
  }

  /** True once {@link start} has finished (and until {@link stop}): a send need not wait for it. */
  get consuming(): boolean {
    return this.consumingReplies;
  }

  /** The reply consumer for health checks: not started yet (no call waited for a result), consuming, or not (the connection is down). */
  get state(): 'not-started' | 'consuming' | 'down' {
    if (!this.consumingReplies || !this.handle) return 'not-started';
    return this.handle.consuming === false ? 'down' : 'consuming';
  }

  /** Registers a result to be completed by replies for its id; returns it. */
  track<T>(result: AsyncResult<T>): AsyncResult<T> {
    const slot = result.slot;
    if (this.unclaimed.size > 0) {
      const stashed = this.unclaimed.get(slot.id);
      if (stashed) {
        this.unclaimed.delete(slot.id);
        slot.update(stashed);
        if (slot.ready()) return result;
      }
    }
    const waiting = this.pending.get(slot.id);
    if (waiting === slot || (Array.isArray(waiting) && waiting.includes(slot))) return result;
    this.pending.set(slot.id, waiting === undefined ? slot : Array.isArray(waiting) ? [...waiting, slot] : [waiting, slot]);
    this.finalizer.register(result, slot);
    return result;
  }

  /** Drops the slot of a collected handle. */
  private forget(slot: ResultSlot): void {
    const waiting = this.pending.get(slot.id);
    if (waiting === slot) {
      this.pending.delete(slot.id);
    } else if (Array.isArray(waiting) && waiting.includes(slot)) {
      const others = waiting.filter((other) => other !== slot);
      if (others.length === 0) this.pending.delete(slot.id);
      else this.pending.set(slot.id, others.length === 1 ? others[0]! : others);
    }
  }

  /** Stops consuming. */
  async stop(): Promise<void> {
    const started = this.started;
    this.started = undefined;
    this.consumingReplies = false;
    if (started) await (await started.catch(() => undefined))?.cancel();
  }

  private onReply(delivery: Delivery): void {
    let message: ResultMessage;
    try {
      message = decodeResultMessage(delivery.message.content);
    } catch (error) {
      this.logger.warn?.(`ignored a malformed reply on ${this.queue}: ${(error as Error).message}`);
      return;
    }
    const waiting = this.pending.get(message.task_id);
    if (waiting === undefined) {
      if (this.unclaimed.size >= UNCLAIMED_LIMIT) this.unclaimed.delete(this.unclaimed.keys().next().value!);
      const previous = this.unclaimed.get(message.task_id);
      if (!previous || !isReadyState(previous.status)) this.unclaimed.set(message.task_id, message);
      return;
    }
    if (!Array.isArray(waiting)) {
      waiting.update(message);
      if (waiting.ready()) this.pending.delete(message.task_id);
      return;
    }
    for (const slot of waiting) slot.update(message);
    if (waiting.every((slot) => slot.ready())) this.pending.delete(message.task_id);
  }
}
