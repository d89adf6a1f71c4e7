import { randomUUID } from 'node:crypto';
import type { SendTaskOptions } from '../producer/send-task.options.js';
import { applyCanvasStep, type ChordSizeWriter } from '../producer/canvas-apply.js';
import { sendSignature } from '../producer/signature-call.js';
import type { TaskProducer } from '../producer/task-producer.js';
import { resultTuple, type ResultTuple } from '../protocol/result-message.js';
import type { SignatureDict } from '../protocol/signature.js';
import type { TaskRequest } from '../protocol/task-message.js';
import type { DeliveryInfo } from '../runtime/celery-context.js';

/**
 * What a worker sends after a task, like Celery's `app/trace.py`: the next chain step and the
 * link callbacks on success, the errbacks on failure, and the republished message of a retry.
 */
export class WorkflowPublisher {
  constructor(
    private readonly producer: TaskProducer,
    /** `set_chord_size` of a backend that keeps chords (Redis); without it a chord step fails as on Celery's rpc://. */
    private readonly setChordSize?: ChordSizeWriter,
  ) {}

  /**
   * On success: applies the next chain step with the result (`chain.pop()`, remaining chain
   * passed along; a group or chord step applied natively) and every callback. Returns the result tuples to list as `children`.
   */
  async followSuccess(request: TaskRequest, value: unknown): Promise<ResultTuple[]> {
    const children: ResultTuple[] = [];
    const rootId = request.rootId ?? request.id;
    const callbacks = request.embed.callbacks ?? [];
    if (callbacks.length === 1) {
      const id = await sendSignature(this.producer, callbacks[0]!, { args: [value], parentId: request.id, rootId, newId: false });
      children.push(resultTuple(id));
    } else if (callbacks.length > 1) {
      // Several callbacks go out together as one group, as in Celery.
      const groupId = randomUUID();
      for (const callback of callbacks) {
        const id = await sendSignature(this.producer, callback, { args: [value], parentId: request.id, rootId, groupId });
        children.push(resultTuple(id));
      }
    }
    const chain = request.embed.chain;
    if (chain && chain.length > 0) {
      const next = chain[chain.length - 1]!;
      // A group or chord step (a chain with a group) is applied here, as Celery's worker does.
      const id = await applyCanvasStep(
        this.producer,
        next,
        { args: [value], chain: chain.slice(0, -1), parentId: request.id, rootId, replyTo: request.replyTo },
        this.setChordSize,
      );
      children.push(resultTuple(id));
    }
    return children;
  }

  /** On failure: sends the errbacks as a group called with the failed task id (new ids, as Celery does). */
  async followFailure(request: TaskRequest): Promise<void> {
    const errbacks: SignatureDict[] = request.embed.errbacks ?? [];
    if (errbacks.length === 0) return;
    const groupId = randomUUID();
    const rootId = request.rootId ?? request.id;
    for (const errback of errbacks) {
      await sendSignature(this.producer, errback, { args: [request.id], parentId: request.id, rootId, groupId, newId: true });
    }
  }

  /**
   * Republishes the task for a retry: same id, `retries + 1`, `eta`, `parent_id` = its own id,
   * same canvas, limits, shadow, priority and reply_to, routed back where it came from.
   * Custom headers are not carried over (neither does Celery).
   */
  async retry(request: TaskRequest, delivery: DeliveryInfo, eta: Date): Promise<void> {
    const route =
      delivery.exchange === '' ? { queue: delivery.routing_key } : { exchange: delivery.exchange, routingKey: delivery.routing_key };
    const options: SendTaskOptions = {
      ...route,
      taskId: request.id,
      retries: request.retries + 1,
      eta,
      expires: request.expires ?? undefined,
      rootId: request.rootId ?? request.id,
      parentId: request.id,
      groupId: request.group ?? undefined,
      groupIndex: request.groupIndex ?? undefined,
      link: request.embed.callbacks ?? undefined,
      linkError: request.embed.errbacks ?? undefined,
      chain: request.embed.chain ?? undefined,
      timeLimit: request.timeLimit[0] ?? undefined,
      softTimeLimit: request.timeLimit[1] ?? undefined,
      shadow: request.shadow ?? undefined,
      priority: request.priority ?? undefined,
      replyTo: request.replyTo,
    };
    await this.producer.send(request.task, request.args, request.kwargs, this.producer.route(request.task, request.args, request.kwargs, options));
  }
}
