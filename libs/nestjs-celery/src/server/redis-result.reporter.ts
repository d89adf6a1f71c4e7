import type { LoggerService } from '@nestjs/common';
import { sendSignature } from '../producer/signature-call.js';
import type { TaskProducer } from '../producer/task-producer.js';
import { CeleryState, isReadyState } from '../protocol/celery-state.js';
import { speaksTypeMarkers } from '../protocol/celery-json.markers.js';
import { notRegisteredInfo, taskRevokedInfo, type ExceptionInfo } from '../protocol/exception-info.js';
import { pythonRepr } from '../protocol/python-repr.js';
import type { SignatureDict } from '../protocol/signature.js';
import type { TaskRequest } from '../protocol/task-message.js';
import { chordError, encodeChordPart, unpackChordParts } from '../results/chord-parts.js';
import type { RedisResultStore } from '../results/redis-result-store.js';
import { encodeTaskMeta } from '../results/task-meta.codec.js';
import type { ReportedRequest, ResultReporter } from './result-reporter.js';
import { ServerMessages } from './server.messages.js';

/** What a {@link RedisResultReporter} needs besides its store. */
export interface RedisResultReporterOptions {
  /** Sends chord callbacks and the errbacks of a failed chord. */
  producer: TaskProducer;
  /** This worker's node name, stored as `worker` with `resultExtended`. */
  hostname: string;
  /** Celery's `result_extended`. */
  extended: boolean;
  logger: LoggerService;
}

/**
 * Celery's Redis result backend, worker side (`backends/redis.py`, `backends/base.py`): every
 * state is stored as `celery-task-meta-<id>` and published on that channel; a header task of a
 * chord is counted in the chord's `.j` set and the last one sends the callback with the header's
 * values in `group_index` order, or fails it with `ChordError` (errbacks called) when a part failed.
 *
 * Writes go out in order on one connection and are not awaited by the task path; `close()` waits
 * for them. A write that fails (Redis down) is logged once per task, as a lost rpc reply is.
 */
export class RedisResultReporter implements ResultReporter {
  private readonly pending = new Set<Promise<void>>();
  /** The routing key each request arrived with, for `resultExtended`'s `queue`. */
  readonly queues = new WeakMap<object, string>();

  constructor(
    private readonly store: RedisResultStore,
    private readonly options: RedisResultReporterOptions,
  ) {}

  report(request: ReportedRequest, status: string, result: unknown, traceback: string | null = null, children: unknown[] = []): void {
    const typeMarkers = speaksTypeMarkers(request.headers);
    const meta = encodeTaskMeta({
      task_id: request.id,
      status,
      result,
      traceback,
      children,
      groupId: request.group,
      parentId: request.parentId,
      awareDate: typeMarkers,
      typeMarkers,
      extended: this.options.extended ? this.extendedOf(request) : undefined,
    });
    this.track(request, this.store.store(request.id, meta).then(() => this.chordPartIfAny(request, status, result)));
  }

  revoked(request: TaskRequest, reason: 'revoked' | 'expired' | 'terminated'): void {
    this.report(request, CeleryState.REVOKED, taskRevokedInfo(reason));
  }

  notRegistered(request: TaskRequest): void {
    this.report(request, CeleryState.FAILURE, notRegisteredInfo(request.task));
  }

  failChain(chain: SignatureDict[] | null, info: ExceptionInfo, traceback: string | null): void {
    for (const step of chain ?? []) {
      const id = step.options?.task_id;
      if (typeof id === 'string') this.report({ id, replyTo: null, correlationId: id, group: step.options?.group_id ?? null }, CeleryState.FAILURE, info, traceback);
    }
  }

  resultIgnored(request: TaskRequest, status: string, result: unknown): void {
    if (request.embed.chord) this.track(request, this.chordPartIfAny(request, status, result));
  }

  async close(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
    await this.store.close();
  }

  private track(request: ReportedRequest, work: Promise<void>): void {
    const logged = work.catch((error: Error) => this.options.logger.warn(ServerMessages.replyFailed(request.task ?? '?', request.id, error.message)));
    this.pending.add(logged);
    void logged.finally(() => this.pending.delete(logged));
  }

  private extendedOf(request: ReportedRequest) {
    return {
      name: request.task ?? null,
      args: request.args ?? null,
      kwargs: request.kwargs ?? null,
      worker: request.task ? this.options.hostname : null,
      retries: request.retries ?? null,
      queue: this.queues.get(request) ?? null,
    };
  }

  /** `on_chord_part_return` for a ready state of a chord's header task. */
  private async chordPartIfAny(request: ReportedRequest, status: string, result: unknown): Promise<void> {
    const callback = request.embed?.chord;
    if (!callback || !request.group || !isReadyState(status)) return;
    const part = encodeChordPart(request.id, status, result, speaksTypeMarkers(request.headers));
    const members = await this.store.chordPartReturned(request.group, request.groupIndex ?? null, part);
    if (!members) return;
    try {
      const outcome = unpackChordParts(members);
      if (!outcome.ok) return await this.chordFailed(request, callback, outcome.error);
      try {
        await sendSignature(this.options.producer, callback, { args: [outcome.values], parentId: request.id, rootId: request.rootId ?? request.id });
      } catch (error) {
        const exc = `${(error as Error).name}(${pythonRepr((error as Error).message)})`;
        await this.chordFailed(request, callback, chordError(`Callback error: ${exc}`));
      }
    } finally {
      await this.store.deleteChord(request.group);
    }
  }

  /**
   * `chord_error_from_stack`: the callback's errbacks are sent with its task id (old-style
   * errbacks, as a worker that does not run them in process does), then the callback is stored
   * as FAILURE with the `ChordError`.
   */
  private async chordFailed(request: ReportedRequest, callback: SignatureDict, error: ExceptionInfo): Promise<void> {
    const callbackId = typeof callback.options?.task_id === 'string' ? callback.options.task_id : undefined;
    const links = callback.options?.link_error;
    const errbacks = links === undefined ? [] : Array.isArray(links) ? links : [links];
    for (const errback of errbacks) {
      await sendSignature(this.options.producer, errback, { args: callbackId ? [callbackId] : [], parentId: callbackId, rootId: request.rootId ?? request.id, newId: true });
    }
    this.options.logger.error(`Chord ${request.group} raised: ChordError(${pythonRepr(error.exc_message[0])})`);
    if (callbackId) {
      const meta = encodeTaskMeta({ task_id: callbackId, status: CeleryState.FAILURE, result: error, traceback: null, children: [], awareDate: speaksTypeMarkers(request.headers) });
      await this.store.store(callbackId, meta);
    }
  }
}
