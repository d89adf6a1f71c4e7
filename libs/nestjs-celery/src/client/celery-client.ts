import { randomUUID } from 'node:crypto';
import { Logger, type LoggerService } from '@nestjs/common';
import { createBroker } from '../broker/broker.factory.js';
import { AmqpBroker } from '../broker/amqp-broker.js';
import type { Broker, BrokerStatus } from '../broker/broker.js';
import { CeleryControl } from '../control/client/celery-control.js';
import type { InspectOptions } from '../control/client/celery-inspect.js';
import { buildTaskTree, type TaskTree } from './task-tree.js';
import { createSignature, type SignatureDict } from '../protocol/signature.js';
import { TaskRouter } from '../routing/task-router.js';
import { AsyncResult } from './async-result.js';
import { defaultBrokerUrl, type CeleryClientOptions } from './celery-client.options.js';
import { CeleryInvalidCallError } from '../producer/producer.errors.js';
import { GroupResult } from './group-result.js';
import { DEFAULT_ORIGIN } from '../producer/node-identity.js';
import { ResultConsumer } from './result-consumer.js';
import { RedisResultConsumer } from './redis-result-consumer.js';
import type { TaskResults } from './task-results.js';
import { applyChord, chordSignature, groupParts, isChordSignature, isGroupSignature } from '../producer/canvas-apply.js';
import { parseResultBackend } from '../results/result-backend.options.js';
import { ChordsNotSupportedError } from '../results/results.errors.js';
import type { SendTaskOptions } from '../producer/send-task.options.js';
import { sendOptionsToSignature } from '../producer/signature-options.js';
import { sendSignature } from '../producer/signature-call.js';
import { TaskProducer } from '../producer/task-producer.js';
import type { TaskDefinition, TaskProxy } from './task-definition.js';
import type { Observable } from 'rxjs';
import { ObservedBroker } from '../runtime/observed-broker.js';

/** What {@link CeleryClient.health} reports. */
export interface CeleryClientHealth {
  readonly broker: BrokerStatus;
  /** The result channel (rpc:// reply queue, or Redis connections): started on the first call that waits for a result. */
  readonly replies: 'not-started' | 'consuming' | 'down' | 'disabled';
}

/**
 * Calls Celery tasks by name, on Python or Nest workers: `sendTask` resolves with an
 * {@link AsyncResult} once the broker confirmed the message; results come back over rpc://
 * on one reply queue per client.
 */
export class CeleryClient {
  private readonly broker: Broker;
  private readonly ownsBroker: boolean;
  private readonly asyncBroker?: Broker;
  private readonly ownsAsyncBroker: boolean;
  private readonly producer: TaskProducer;
  private readonly results?: TaskResults;
  private readonly logger: LoggerService;
  private controller?: CeleryControl;
  private closed = false;

  constructor(options: CeleryClientOptions = {}) {
    this.logger = options.logger ?? new Logger('CeleryClient');
    this.ownsBroker = !options.broker;
    this.broker =
      options.broker ??
      createBroker({
        url: options.brokerUrl ?? defaultBrokerUrl(),
        connection: options.brokerConnection,
        connectionName: options.connectionName ?? 'nestjs-celery-client',
        logger: this.logger,
      });
    this.ownsAsyncBroker = !options.asyncBroker;
    this.asyncBroker =
      options.asyncBroker ??
      (options.asyncBrokerUrl
        ? createBroker({
            url: options.asyncBrokerUrl,
            connection: options.brokerConnection,
            connectionName: `${options.connectionName ?? 'nestjs-celery-client'} async`,
            logger: this.logger,
          })
        : undefined);
    const router = options.taskRoutes || options.services ? new TaskRouter({ routes: options.taskRoutes, services: options.services }) : undefined;
    this.producer = new TaskProducer(options.observer ? new ObservedBroker(this.broker, options.observer) : this.broker, options.defaultQueue ?? 'celery', options.origin ?? DEFAULT_ORIGIN, {
      router,
      asyncBroker: this.asyncBroker,
      wireHeaders: options.wireHeaders,
      jsonTypeMarkers: options.jsonTypeMarkers,
      queueType: options.queueType,
      nativeDelayedDelivery: (options.nativeDelayedDelivery ?? options.queueType === 'quorum') && this.broker instanceof AmqpBroker,
    });
    const backend = parseResultBackend(options.resultBackend);
    if (backend.kind === 'rpc') {
      this.results = new ResultConsumer(this.broker, {
        queue: options.replyQueue,
        expiresMs: options.resultExpiresMs,
        logger: this.logger,
      });
    } else if (backend.kind === 'redis') {
      this.results = new RedisResultConsumer(backend.url, {
        expiresMs: options.resultExpiresMs,
        tls: options.resultBackendTls,
        connectionName: options.connectionName ?? 'nestjs-celery-client',
        logger: this.logger,
      });
    }
  }

  /** Connection state changes of the client's broker connection. */
  get status$(): Observable<BrokerStatus> {
    return this.broker.status$;
  }

  /** The broker connection and the reply consumer, for health checks (`nestjs-celery/health`). */
  health(): CeleryClientHealth {
    return { broker: this.broker.status, replies: this.results?.state ?? 'disabled' };
  }

  /** The reply queue name (`reply_to`) with rpc://; undefined with Redis or without a result backend. */
  get replyQueue(): string | undefined {
    return this.results?.replyTo ?? undefined;
  }

  /** The Redis result consumer when `resultBackend` is `redis://…`. */
  private get redisResults(): RedisResultConsumer | undefined {
    return this.results instanceof RedisResultConsumer ? this.results : undefined;
  }

  /** Connects and starts the result consumer. Called by the module; `sendTask` also connects lazily. */
  async connect(): Promise<void> {
    await this.broker.connect();
    await this.asyncBroker?.connect();
    await this.results?.start();
  }

  /**
   * Sends task `name` (Celery's `send_task`). Resolves once the broker confirmed the message.
   * @throws CeleryInvalidCallError for bad input (nothing is sent)
   * @throws BrokerUnavailableError / PublishNotConfirmedError when the broker did not take it
   */
  async sendTask<T = unknown>(
    name: string,
    args: unknown[] = [],
    kwargs: Record<string, unknown> = {},
    options: SendTaskOptions = {},
  ): Promise<AsyncResult<T>> {
    if (this.closed) throw new CeleryInvalidCallError('CeleryClient is closed');
    options = this.producer.route(name, args, kwargs, options);
    const taskId = options.taskId ?? randomUUID();
    const wantsReply = this.results !== undefined && options.replyTo !== null;
    const result = new AsyncResult<T>(taskId, name);
    if (wantsReply) {
      if (!this.results!.consuming) await this.results!.start();
      // Redis: subscribed before the task is sent; a fresh id needs no read of its key
      const tracked = this.results!.track(result, options.taskId === undefined);
      if (tracked instanceof Promise) await tracked;
    }
    const replyTo = options.replyTo === undefined ? this.results?.replyTo ?? null : options.replyTo;
    // Object.assign, not a spread with extra keys: V8 turns that copy into a slow dictionary object,
    // which made every option lookup downstream ~3 µs slower per send.
    await this.producer.send(
      name,
      args,
      kwargs,
      Object.assign({}, options, {
        taskId,
        replyTo,
        link: this.withReplyTo(options.link, replyTo),
        linkError: this.withReplyTo(options.linkError, replyTo),
      }),
    );
    return result;
  }

  /**
   * Link callbacks without a `reply_to` of their own report to this client's reply queue, so
   * `client.asyncResult(linkTaskId)` can wait for them (a Python client's rpc backend cannot).
   */
  private withReplyTo(
    links: SignatureDict | SignatureDict[] | undefined,
    replyTo: string | null,
  ): SignatureDict[] | undefined {
    if (links === undefined) return undefined;
    const list = Array.isArray(links) ? links : [links];
    if (!replyTo) return list;
    return list.map((link) => (link.options?.reply_to ? link : { ...link, options: { ...link.options, reply_to: replyTo } }));
  }

  /**
   * A result handle for a task id sent elsewhere. With rpc:// results arrive only on this client's
   * reply queue; with Redis any task's stored result is read (a Redis outage makes `get()` throw
   * `ResultBackendUnavailableError`).
   */
  asyncResult<T = unknown>(taskId: string): AsyncResult<T> {
    const result = new AsyncResult<T>(taskId);
    if (!this.results) return result;
    const tracked = this.results.track(result);
    if (tracked instanceof Promise) tracked.catch((error: Error) => result.slot.fail(error));
    return result;
  }

  /**
   * Celery's `GroupResult.restore(id)`: the group saved with `GroupResult.save()` (by Nest or
   * Python), its members tracked; undefined when no such group is stored. Needs the Redis backend.
   */
  async restoreGroup<T = unknown>(groupId: string): Promise<GroupResult<T> | undefined> {
    const redis = this.requireRedis('restoreGroup()');
    const store = await redis.start();
    const ids = await store.restoreGroup(groupId);
    if (!ids) return undefined;
    const results = await Promise.all(ids.map((id) => redis.track(new AsyncResult<T>(id))));
    return new GroupResult(groupId, results, store);
  }

  /**
   * Runs `header` in parallel and then `body` with the list of their results, in header order
   * (Celery's `chord(header)(body)`), over Nest and Python workers alike. Resolves with the
   * body's {@link AsyncResult}. A failed header task fails the body with Celery's `ChordError`
   * (its `linkError` errbacks called). Needs the Redis backend, as in Celery.
   * @throws ChordsNotSupportedError with rpc:// (Celery raises `NotImplementedError` then; nothing is sent)
   */
  async chord<T = unknown>(header: SignatureDict[], body: SignatureDict): Promise<AsyncResult<T>> {
    if (this.closed) throw new CeleryInvalidCallError('CeleryClient is closed');
    const redis = this.redisResults;
    if (!redis) throw new ChordsNotSupportedError(this.results ? 'rpc' : 'disabled');
    const store = await redis.start();
    const bodyId = body.options?.task_id ?? randomUUID();
    const result = await redis.track(new AsyncResult<T>(bodyId, body.task));
    await applyChord(this.producer, header, { ...body, options: { ...body.options, task_id: bodyId } }, (groupId, size) => store.setChordSize(groupId, size));
    return result;
  }

  /** A group signature dict (Celery's `group(...)`), to put in a {@link chain}: a group followed by a task becomes a chord. */
  groupSignature(members: SignatureDict[]): SignatureDict {
    return { task: 'celery.group', args: [], kwargs: { tasks: members }, options: {}, subtask_type: 'group', immutable: false };
  }

  private requireRedis(what: string): RedisResultConsumer {
    const redis = this.redisResults;
    if (!redis) throw new CeleryInvalidCallError(`${what} needs a result backend that stores results: resultBackend: 'redis://…'`);
    return redis;
  }

  /** A signature (`task.s()`) to use in chains, groups and links. */
  signature(name: string, args: unknown[] = [], kwargs: Record<string, unknown> = {}, options: SendTaskOptions = {}): SignatureDict {
    return createSignature(name, args, kwargs, sendOptionsToSignature(options));
  }

  /**
   * Runs signatures one after another, each receiving the previous result (Celery's `chain`).
   * Only the first message is sent; workers send the rest. Resolves with the last step's result.
   */
  async chain<T = unknown>(...steps: SignatureDict[]): Promise<AsyncResult<T>> {
    if (steps.length === 0) throw new CeleryInvalidCallError('chain() needs at least one signature');
    if (isGroupSignature(steps[steps.length - 1]!)) {
      throw new CeleryInvalidCallError('chain() must end with a task or a chord here; send a final group with group()');
    }
    const replyTo = this.results?.replyTo ?? undefined;
    const frozen = upgradeGroups(steps).map((step) => freezeStep(step, replyTo));
    // Celery raises while applying such a chain on a backend without chords, before sending anything.
    if (!this.redisResults && frozen.some(isChordSignature)) throw new ChordsNotSupportedError(this.results ? 'rpc' : 'disabled');
    const lastStep = frozen[frozen.length - 1]!;
    const lastTask = isChordSignature(lastStep) ? ((lastStep.kwargs as { body: SignatureDict }).body) : lastStep;
    const last = new AsyncResult<T>(lastTask.options.task_id!, lastTask.task);
    if (this.results) {
      await this.results.start();
      const tracked = this.results.track(last);
      if (tracked instanceof Promise) await tracked;
    }
    const [first, ...rest] = frozen;
    if (isChordSignature(first!)) {
      // A chain that starts with a group: the chord runs from here, the rest follows its callback.
      const store = this.redisResults!.store!;
      const { header, body } = first!.kwargs as { header: SignatureDict[]; body: SignatureDict };
      await applyChord(this.producer, header, body, (groupId, size) => store.setChordSize(groupId, size), { chain: rest.reverse() });
      return last;
    }
    const rootId = first!.options.task_id!;
    await sendSignature(this.producer, first!, { chain: rest.reverse(), rootId, replyTo: replyTo ?? null });
    return last;
  }

  /** Runs signatures in parallel as a group (Celery's `group`): each message carries the group id. */
  async group<T = unknown>(members: SignatureDict[]): Promise<GroupResult<T>> {
    const groupId = randomUUID();
    const results = await Promise.all(
      members.map(async (member, groupIndex) => {
        const taskId = member.options?.task_id ?? randomUUID();
        const result = new AsyncResult<T>(taskId, member.task);
        if (this.results) {
          await this.results.start();
          const tracked = this.results.track(result);
          if (tracked instanceof Promise) await tracked;
        }
        await sendSignature(
          this.producer,
          { ...member, options: { ...member.options, task_id: taskId } },
          { groupId, groupIndex, replyTo: this.results?.replyTo ?? null },
        );
        return result;
      }),
    );
    return new GroupResult(groupId, results, this.redisResults?.store);
  }

  /** Binds a shared {@link TaskDefinition} to this client, giving `.delay()` and `.applyAsync()`. */
  task<A extends unknown[], R>(definition: TaskDefinition<A, R>): TaskProxy<A, R> {
    return definition.bind(this);
  }

  /**
   * Celery's `app.control` on this client's connection: `ping()`, `inspect().registered()`,
   * `revoke(id)`, … answered by Python and Nest workers alike.
   */
  get control(): CeleryControl {
    if (this.closed) throw new CeleryInvalidCallError('CeleryClient is closed');
    this.controller ??= new CeleryControl(this.broker, { logger: this.logger });
    return this.controller;
  }

  /**
   * Asks the live workers what they run and where they listen, and returns a callable tree of
   * their tasks: `const api = await client.discover(); const r = await api.billing.sync.get_invoice(42); await r.get()`.
   * A leaf sends its task (to a queue where a worker that registered it listens) and resolves
   * with the {@link AsyncResult}; it does not wait for the result. The catalog is `api[TASK_CATALOG]`.
   */
  async discover(options: InspectOptions = {}): Promise<TaskTree> {
    const catalog = await this.control.catalog(options);
    return buildTaskTree(catalog, (name, args, kwargs, sendOptions) => this.sendTask(name, args, kwargs, sendOptions));
  }

  /** The broker connection this client publishes on (`CeleryModule` shares it with `EventPublisher`). */
  unwrap<T = Broker>(): T {
    return this.broker as T;
  }

  /** Stops the result consumer and closes the connection (if the client opened it). Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.controller?.close().catch(() => undefined);
    await this.results?.stop().catch(() => undefined);
    if (this.ownsBroker) await this.broker.close();
    if (this.ownsAsyncBroker) await this.asyncBroker?.close();
  }
}

/** Celery's chain rule: a group followed by another step becomes a chord whose callback is that step. */
function upgradeGroups(steps: SignatureDict[]): SignatureDict[] {
  const out: SignatureDict[] = [];
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i]!;
    if (isGroupSignature(step) && i + 1 < steps.length) {
      out.push(chordSignature(groupParts(step).members, steps[++i]!));
    } else out.push(step);
  }
  return out;
}

/** Gives a chain step (or a chord step's callback) its task id and, with rpc://, the reply queue. */
function freezeStep(step: SignatureDict, replyTo: string | undefined): SignatureDict {
  const freeze = (sig: SignatureDict): SignatureDict => ({
    ...sig,
    options: { ...sig.options, task_id: sig.options?.task_id ?? randomUUID(), ...(replyTo ? { reply_to: replyTo } : {}) },
  });
  if (!isChordSignature(step)) return freeze(step);
  const kwargs = step.kwargs as { header: SignatureDict[]; body: SignatureDict };
  return { ...step, kwargs: { ...kwargs, body: freeze(kwargs.body) } };
}
