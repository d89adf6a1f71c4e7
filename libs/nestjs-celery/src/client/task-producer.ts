import { randomUUID } from 'node:crypto';
import type { Broker } from '../broker/broker.js';
import { parseCeleryIsoDate } from '../protocol/iso-time.js';
import { mergeSignatureArgs, type SignatureDict } from '../protocol/signature.js';
import { encodeTaskMessage } from '../protocol/task-message.encoder.js';
import { isWireHeaders, WIRE_HEADERS_CHOICES, type TaskMessageSpec, type WireHeaders } from '../protocol/task-message.js';
import { resolveTaskRoute } from '../routing/task-route.js';
import type { TaskRouter } from '../routing/task-router.js';
import { CeleryInvalidCallError } from './client.errors.js';
import type { SendTaskOptions } from './send-task.options.js';
import { signatureToSendOptions } from './signature-options.js';

/** Workflow links a worker adds when it applies a signature (chain step, callback, errback). */
export interface SignatureApplication {
  /** Arguments put before the signature's own (the parent's return value, or the failed task id). */
  args?: unknown[];
  parentId?: string;
  rootId?: string;
  groupId?: string;
  /** Reply queue to use when the signature has none of its own. */
  replyTo?: string | null;
  /** Remaining chain steps, for the next chain step. */
  chain?: SignatureDict[];
  /** Ignore the signature's frozen task id (Celery does for errbacks). */
  newId?: boolean;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A naive ISO string (as Python signatures carry) is UTC, like the worker reads it; `new Date` would take local time. */
function parseDateString(value: string): Date {
  try {
    return parseCeleryIsoDate(value, 'date') ?? new Date(Number.NaN);
  } catch {
    return new Date(value);
  }
}

function toDate(value: Date | string | number, field: string, now: number): Date {
  const date =
    typeof value === 'number' ? new Date(now + value * 1000) : typeof value === 'string' ? parseDateString(value) : new Date(value);
  if (Number.isNaN(date.getTime())) throw new CeleryInvalidCallError(`option '${field}' is not a valid date: ${String(value)}`);
  return date;
}

/** Throws {@link CeleryInvalidCallError} unless `value` is a {@link WireHeaders} (or undefined). */
export function checkWireHeaders(value: unknown): void {
  if (value !== undefined && !isWireHeaders(value)) {
    throw new CeleryInvalidCallError(`option 'wireHeaders' must be ${WIRE_HEADERS_CHOICES}, got ${JSON.stringify(value)}`);
  }
}

/**
 * Checks each signature of `link`, `linkError` or `chain` before the message carrying it is sent:
 * what the worker could not send later (a non-empty task name, a string `task_id`, a `priority` of
 * 0..255; Celery's publish fails on the last two too) is refused now, from the caller, instead
 * of failing the parent task after it ran.
 */
function checkFollowUps(list: unknown[] | null, field: string): void {
  if (!list) return;
  for (const signature of list) {
    const where = `a signature in '${field}'`;
    if (typeof signature !== 'object' || signature === null || Array.isArray(signature)) {
      throw new CeleryInvalidCallError(`${where} must be a signature object (client.signature(...)), got ${typeof signature}`);
    }
    const { task, options } = signature as { task?: unknown; options?: unknown };
    if (typeof task !== 'string' || task === '') {
      throw new CeleryInvalidCallError(`${where} must name its task (a non-empty string), got ${JSON.stringify(task) ?? 'undefined'}`);
    }
    if (options === undefined || options === null) continue;
    if (!isPlainObject(options)) throw new CeleryInvalidCallError(`options of ${where} (task '${task}') must be a plain object`);
    const { task_id: id, priority } = options;
    if (id !== undefined && id !== null && (typeof id !== 'string' || id === '')) {
      throw new CeleryInvalidCallError(`option 'task_id' of ${where} (task '${task}') must be a non-empty string, got ${JSON.stringify(id)}`);
    }
    if (priority !== undefined && priority !== null && (!Number.isInteger(priority) || (priority as number) < 0 || (priority as number) > 255)) {
      throw new CeleryInvalidCallError(`option 'priority' of ${where} (task '${task}') must be an integer 0..255, got ${String(priority)}`);
    }
  }
}

function checkNumber(value: unknown, field: string): void {
  if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value) || value < 0)) {
    throw new CeleryInvalidCallError(`option '${field}' must be a non-negative number of seconds, got ${String(value)}`);
  }
}

/**
 * Puts tasks on the wire: validates a call, writes the Celery message, declares the target queue
 * once (like Celery), publishes and waits for the broker's confirm. The client's `sendTask` and the
 * worker's chains, callbacks and retries all go through here, so both write the same format.
 */
export class TaskProducer {
  constructor(
    private readonly broker: Broker,
    private readonly defaultQueue: string,
    private readonly origin: string,
    /**
     * `taskRoutes` / service convention, the broker of the `async` lane (default: `broker`), the
     * header table to write (default `'compact'`) and whether arguments carry kombu ≥ 5.3's type
     * markers (default false).
     */
    private readonly routing: { router?: TaskRouter; asyncBroker?: Broker; wireHeaders?: WireHeaders; jsonTypeMarkers?: boolean } = {},
  ) {
    checkWireHeaders(routing.wireHeaders);
  }

  /** Applies the routers to a call's options (explicit options win); the options themselves without routers. */
  route(name: string, args: unknown[], kwargs: Record<string, unknown>, options: SendTaskOptions): SendTaskOptions {
    const { router } = this.routing;
    return router && Array.isArray(args) && isPlainObject(kwargs) ? router.route(name, args, kwargs, options) : options;
  }

  /**
   * Sends task `name` (after routing it) and resolves with its id once the broker confirmed it.
   * Throws {@link CeleryInvalidCallError} for bad input, before anything is sent.
   */
  send(name: string, args: unknown[], kwargs: Record<string, unknown>, options: SendTaskOptions): Promise<string> {
    return this.sendRouted(name, args, kwargs, this.route(name, args, kwargs, options));
  }

  /** Sends task `name` with options already passed through {@link route}; resolves with its id once confirmed. */
  async sendRouted(name: string, args: unknown[], kwargs: Record<string, unknown>, options: SendTaskOptions): Promise<string> {
    const spec = this.toSpec(name, args, kwargs, options);
    await this.publishSpec(spec, options);
    return spec.id;
  }

  /**
   * Like {@link sendRouted} for a caller that knows the task id (`options.taskId`, else a fresh
   * one it cannot learn): the broker's confirm itself, with no promise or async frame of its own
   * holding the message until then (the client's per-message path).
   * @throws CeleryInvalidCallError synchronously, for bad input (nothing is sent)
   */
  publishRouted(name: string, args: unknown[], kwargs: Record<string, unknown>, options: SendTaskOptions): Promise<void> {
    return this.publishSpec(this.toSpec(name, args, kwargs, options), options);
  }

  /** Encodes and publishes a message, after declaring its queue the first time; resolves on the confirm. */
  private publishSpec(spec: TaskMessageSpec, options: SendTaskOptions): Promise<void> {
    const route = this.routing.router
      ? this.routing.router.resolve(options, this.defaultQueue, spec.task)
      : resolveTaskRoute(options, this.defaultQueue, spec.task);
    const broker = (options.lane ?? route.lane) === 'async' ? (this.routing.asyncBroker ?? this.broker) : this.broker;
    let encoded;
    try {
      encoded = encodeTaskMessage(spec);
    } catch (error) {
      // the cause is the CeleryEncodeError (kombu's EncodeError on a Python client) with the path
      throw new CeleryInvalidCallError(`arguments of task '${spec.task}' are not JSON-serializable: ${(error as Error).message}`, { cause: error });
    }
    const { body, properties } = encoded;
    if (route.declare && !(route.queue && broker.hasQueue(route.queue))) {
      return broker.declare(route.declare).then(() => broker.publish(route.exchange, route.routingKey, body, properties));
    }
    return broker.publish(route.exchange, route.routingKey, body, properties);
  }

  /** Applies a signature (chain step, callback, errback) with the links a worker adds. */
  sendSignature(signature: SignatureDict, application: SignatureApplication = {}): Promise<string> {
    const options = signatureToSendOptions(signature.options ?? {});
    const args = mergeSignatureArgs(signature, application.args ?? []);
    const kwargs = isPlainObject(signature.kwargs) ? signature.kwargs : {};
    // Object.assign rather than a spread with extra keys, which V8 turns into a slow dictionary object.
    return this.send(
      signature.task,
      args,
      kwargs,
      Object.assign({}, options, {
        taskId: application.newId ? undefined : options.taskId,
        parentId: application.parentId ?? options.parentId,
        rootId: application.rootId ?? options.rootId,
        groupId: application.groupId ?? options.groupId,
        chain: application.chain ?? options.chain,
        replyTo: options.replyTo !== undefined ? options.replyTo : application.replyTo,
      }),
    );
  }

  private toSpec(name: string, args: unknown, kwargs: unknown, options: SendTaskOptions): TaskMessageSpec {
    if (options.taskId !== undefined && (typeof options.taskId !== 'string' || options.taskId === '')) {
      throw new CeleryInvalidCallError(`option 'taskId' must be a non-empty string, got ${JSON.stringify(options.taskId)}`);
    }
    if (options.headers !== undefined && (typeof options.headers !== 'object' || options.headers === null || Array.isArray(options.headers))) {
      throw new CeleryInvalidCallError(`option 'headers' of task '${name}' must be a plain object`);
    }
    if (typeof name !== 'string' || name.length === 0) {
      throw new CeleryInvalidCallError(`task name must be a non-empty string, got ${JSON.stringify(name)}`);
    }
    if (!Array.isArray(args)) throw new CeleryInvalidCallError(`args of task '${name}' must be an array`);
    if (!isPlainObject(kwargs)) throw new CeleryInvalidCallError(`kwargs of task '${name}' must be a plain object`);
    checkNumber(options.countdown, 'countdown');
    checkNumber(options.timeLimit, 'timeLimit');
    checkNumber(options.softTimeLimit, 'softTimeLimit');
    if (options.priority !== undefined && (!Number.isInteger(options.priority) || options.priority < 0 || options.priority > 255)) {
      throw new CeleryInvalidCallError(`option 'priority' must be an integer 0..255, got ${String(options.priority)}`);
    }
    const now = options.countdown !== undefined || options.eta !== undefined || options.expires !== undefined ? Date.now() : 0;
    const eta =
      options.countdown !== undefined ? new Date(now + options.countdown * 1000) : options.eta !== undefined ? toDate(options.eta, 'eta', now) : null;
    const expires = options.expires !== undefined ? toDate(options.expires, 'expires', now) : null;
    const link = options.link === undefined ? null : Array.isArray(options.link) ? options.link : [options.link];
    const linkError =
      options.linkError === undefined ? null : Array.isArray(options.linkError) ? options.linkError : [options.linkError];
    const chain = options.chain ?? null;
    checkFollowUps(link, 'link');
    checkFollowUps(linkError, 'linkError');
    checkFollowUps(chain, 'chain');
    const id = options.taskId ?? randomUUID();
    return {
      id,
      task: name,
      args,
      kwargs,
      // No embed and no time limit objects for a plain call: both encoders read undefined as "none set".
      embed: link || linkError || chain ? { callbacks: link, errbacks: linkError, chain, chord: null } : undefined,
      retries: options.retries ?? 0,
      eta,
      expires,
      rootId: options.rootId ?? id,
      parentId: options.parentId ?? null,
      group: options.groupId ?? null,
      groupIndex: options.groupIndex ?? null,
      shadow: options.shadow ?? null,
      timeLimit:
        options.timeLimit === undefined && options.softTimeLimit === undefined
          ? undefined
          : [options.timeLimit ?? null, options.softTimeLimit ?? null],
      ignoreResult: options.ignoreResult ?? false,
      origin: this.origin,
      replyTo: options.replyTo ?? null,
      priority: options.priority,
      deliveryMode: options.deliveryMode,
      headers: options.headers,
      wireHeaders: this.routing.wireHeaders ?? 'compact',
      jsonTypeMarkers: this.routing.jsonTypeMarkers,
    };
  }
}
