import { randomUUID } from 'node:crypto';
import { Logger, type LoggerService } from '@nestjs/common';
import type { Broker, ConsumerHandle } from '../broker/broker.js';
import type { Delivery } from '../broker/delivery.js';
import { rpcReplyQueue } from '../broker/topology.js';
import { isReadyState } from '../protocol/celery-state.js';
import { decodeResultMessage, type ResultMessage } from '../protocol/result-message.js';
import { AsyncResult } from './async-result.js';

const UNCLAIMED_LIMIT = 1000;

/**
 * Celery's rpc:// result backend, client side: one reply queue per client (not per call), one
 * no-ack consumer, results matched by `task_id` to the {@link AsyncResult}s waiting for them.
 * Results nobody waits for (yet) are kept, up to 1000, so `client.asyncResult(id)` can claim them.
 */
export class ResultConsumer {
  /** Name of the reply queue, sent as `reply_to` on every task. */
  readonly queue: string;
  /** Every live handle waiting for an id: `sendTask`'s result and `asyncResult(id)` may both wait. */
  private readonly pending = new Map<string, WeakRef<AsyncResult<unknown>>[]>();
  private readonly unclaimed = new Map<string, ResultMessage>();
  private readonly finalizer = new FinalizationRegistry<string>((id) => {
    const live = this.pending.get(id)?.filter((ref) => ref.deref() !== undefined);
    if (live?.length) this.pending.set(id, live);
    else this.pending.delete(id);
  });
  private started?: Promise<ConsumerHandle>;
  private consumingReplies = false;
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
      () => {
        if (this.started === started) this.consumingReplies = true;
      },
      () => {
        if (this.started === started) this.started = undefined;
      },
    );
    return started;
  }

  /** True once {@link start} has finished (and until {@link stop}): a send need not wait for it. */
  get consuming(): boolean {
    return this.consumingReplies;
  }

  /** Registers a result to be completed by replies for its id; returns it. */
  track<T>(result: AsyncResult<T>): AsyncResult<T> {
    const stashed = this.unclaimed.get(result.id);
    if (stashed) {
      this.unclaimed.delete(result.id);
      result.update(stashed);
      if (result.ready()) return result;
    }
    const waiting = this.pending.get(result.id);
    const others = waiting
      ? waiting.filter((ref) => {
          const live = ref.deref();
          return live !== undefined && live !== result;
        })
      : [];
    others.push(new WeakRef(result as AsyncResult<unknown>));
    this.pending.set(result.id, others);
    this.finalizer.register(result, result.id);
    return result;
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
    const refs = this.pending.get(message.task_id);
    const results = (refs ?? []).map((ref) => ref.deref()).filter((r) => r !== undefined);
    if (results.length === 0) {
      if (refs) this.pending.delete(message.task_id);
      if (this.unclaimed.size >= UNCLAIMED_LIMIT) this.unclaimed.delete(this.unclaimed.keys().next().value!);
      const previous = this.unclaimed.get(message.task_id);
      if (!previous || !isReadyState(previous.status)) this.unclaimed.set(message.task_id, message);
      return;
    }
    for (const result of results) result.update(message);
    if (results.every((r) => r.ready())) this.pending.delete(message.task_id);
  }
}
