import { randomUUID } from 'node:crypto';
import { Logger, type LoggerService } from '@nestjs/common';
import type { Broker, ConsumerHandle } from '../broker/broker.js';
import type { Delivery } from '../broker/delivery.js';
import { rpcReplyQueue } from '../broker/topology.js';
import { isReadyState } from '../protocol/celery-state.js';
import { decodeResultMessage, type ResultMessage } from '../protocol/result-message.js';
import { AsyncResult } from './async-result.js';

const UNCLAIMED_LIMIT = 1000;
/** {@link ResultConsumer} drops the entries of collected handles once this many ids wait (and at twice the live count after). */
const MIN_SWEEP_SIZE = 1024;

type ResultRef = WeakRef<AsyncResult<unknown>>;
type WaitingRefs = ResultRef | ResultRef[];

/** The live handles of an entry of {@link ResultConsumer}'s pending map. */
function liveResults(refs: WaitingRefs): AsyncResult<unknown>[] {
  if (!Array.isArray(refs)) {
    const result = refs.deref();
    return result === undefined ? [] : [result];
  }
  const live: AsyncResult<unknown>[] = [];
  for (const ref of refs) {
    const result = ref.deref();
    if (result !== undefined) live.push(result);
  }
  return live;
}

/**
 * Celery's rpc:// result backend, client side: one reply queue per client (not per call), one
 * no-ack consumer, results matched by `task_id` to the {@link AsyncResult}s waiting for them.
 * Results nobody waits for (yet) are kept, up to 1000, so `client.asyncResult(id)` can claim them.
 */
export class ResultConsumer {
  /** Name of the reply queue, sent as `reply_to` on every task. */
  readonly queue: string;
  /**
   * Every handle waiting for an id, held weakly (a handle the caller dropped is not kept alive):
   * one reference, or several when `sendTask`'s result and `asyncResult(id)` both wait.
   */
  private readonly pending = new Map<string, WaitingRefs>();
  private readonly unclaimed = new Map<string, ResultMessage>();
  /** {@link pending}'s size that triggers the next sweep of handles that were collected. */
  private sweepAt = MIN_SWEEP_SIZE;
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
    if (this.unclaimed.size > 0) {
      const stashed = this.unclaimed.get(result.id);
      if (stashed) {
        this.unclaimed.delete(result.id);
        result.update(stashed);
        if (result.ready()) return result;
      }
    }
    const handle = result as AsyncResult<unknown>;
    const waiting = this.pending.get(result.id);
    if (waiting === undefined) {
      this.pending.set(result.id, new WeakRef(handle));
      if (this.pending.size >= this.sweepAt) this.sweep();
      return result;
    }
    const others = liveResults(waiting).filter((live) => live !== handle);
    this.pending.set(result.id, [...others, handle].map((live) => new WeakRef(live)));
    return result;
  }

  /** Drops the entries whose handles were all collected (amortized: the map at least doubles in between). */
  private sweep(): void {
    for (const [id, refs] of this.pending) {
      if (liveResults(refs).length === 0) this.pending.delete(id);
    }
    this.sweepAt = Math.max(MIN_SWEEP_SIZE, this.pending.size * 2);
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
    const single = refs !== undefined && !Array.isArray(refs) ? refs.deref() : undefined;
    if (single !== undefined) {
      single.update(message);
      if (single.ready()) this.pending.delete(message.task_id);
      return;
    }
    const results = refs === undefined ? [] : liveResults(refs);
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
