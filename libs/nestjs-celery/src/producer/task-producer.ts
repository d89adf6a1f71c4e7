import { randomUUID } from 'node:crypto';
import type { Broker } from '../broker/broker.js';
import { withQueueType, type QueueType, type Topology } from '../broker/topology.js';
import { parseCeleryIsoDate } from '../protocol/iso-time.js';
import { encodeTaskMessage } from '../protocol/task-message.encoder.js';
import { isWireHeaders, WIRE_HEADERS_CHOICES, type EncodedTaskMessage, type TaskMessageSpec, type WireHeaders } from '../protocol/task-message.js';
import {
  DELAYED_DELIVERY_ENTRY_EXCHANGE,
  delayedRoutingKey,
  MAX_NATIVE_DELAY_SECONDS,
  nativeDelayedDeliveryTopology,
} from '../routing/native-delayed-delivery.js';
import { resolveTaskRoute, type ResolvedRoute } from '../routing/task-route.js';
import type { TaskRouter } from '../routing/task-router.js';
import { CeleryInvalidCallError } from './producer.errors.js';
import type { SendTaskOptions } from './send-task.options.js';

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

/** Encodes the message; arguments that cannot be written as JSON are the caller's error. */
function encode(spec: TaskMessageSpec): EncodedTaskMessage {
  try {
    return encodeTaskMessage(spec);
  } catch (error) {
    // the cause is the CeleryEncodeError (kombu's EncodeError on a Python client) with the path
    throw new CeleryInvalidCallError(`arguments of task '${spec.task}' are not JSON-serializable: ${(error as Error).message}`, { cause: error });
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
    private readonly routing: {
      router?: TaskRouter;
      asyncBroker?: Broker;
      wireHeaders?: WireHeaders;
      jsonTypeMarkers?: boolean;
      /** Type of the queues this producer declares (`quorum`: Celery 5.5's `x-queue-type`). Default classic. */
      queueType?: QueueType;
      /** Send countdown / ETA tasks for topic and fanout routes through Celery 5.5's `celery_delayed_*` exchanges. Default false. */
      nativeDelayedDelivery?: boolean;
    } = {},
  ) {
    checkWireHeaders(routing.wireHeaders);
  }

  /** Declarations with the queue type applied, computed once per route topology. */
  private readonly typedTopologies = new WeakMap<Topology, Topology>();
  /** Brokers on which the native delayed delivery topology was declared. */
  private readonly delayedTopologyOn = new WeakMap<Broker, Promise<void>>();

  /**
   * Applies `taskRoutes` and the service convention to a call's options (the caller's explicit
   * options win); the options themselves when there are no routers. Pure: pass the result to {@link send}.
   */
  route(name: string, args: unknown[], kwargs: Record<string, unknown>, options: SendTaskOptions): SendTaskOptions {
    const { router } = this.routing;
    return router && Array.isArray(args) && isPlainObject(kwargs) ? router.route(name, args, kwargs, options) : options;
  }

  /**
   * The one way a task message leaves this library: checks the call, writes the Celery message,
   * declares the target queue the first time (like Celery), publishes to the route the options
   * name and resolves on the broker's confirm. It does not apply routers: pass options through
   * {@link route} first. The task id is `options.taskId`, else a fresh one the caller cannot
   * learn (give one to know it). No promise or async frame of its own holds the message until
   * the confirm (the client's per-message path).
   * Rejects with {@link CeleryInvalidCallError} for bad input (nothing is sent).
   */
  send(name: string, args: unknown[], kwargs: Record<string, unknown>, options: SendTaskOptions): Promise<void> {
    try {
      const spec = this.toSpec(name, args, kwargs, options);
      const route = this.routing.router
        ? this.routing.router.resolve(options, this.defaultQueue, spec.task)
        : resolveTaskRoute(options, this.defaultQueue, spec.task);
      const broker = (options.lane ?? route.lane) === 'async' ? (this.routing.asyncBroker ?? this.broker) : this.broker;
      const { body, properties } = encode(spec);
      const delayed = spec.eta ? this.delayedTarget(route, spec.eta) : undefined;
      const declare = route.declare && !(route.queue && broker.hasQueue(route.queue)) ? broker.declare(this.typed(route.declare)) : undefined;
      if (delayed) {
        const ready = Promise.all([declare, this.declareDelayedTopology(broker)]);
        return ready.then(() => broker.publish(DELAYED_DELIVERY_ENTRY_EXCHANGE, delayed, body, properties));
      }
      if (declare) return declare.then(() => broker.publish(route.exchange, route.routingKey, body, properties));
      return broker.publish(route.exchange, route.routingKey, body, properties);
    } catch (error) {
      return Promise.reject(error as Error);
    }
  }

  /** The route's topology declared with this producer's queue type. */
  private typed(topology: Topology): Topology {
    let typed = this.typedTopologies.get(topology);
    if (!typed) {
      typed = withQueueType(topology, this.routing.queueType);
      this.typedTopologies.set(topology, typed);
    }
    return typed;
  }

  /**
   * The `celery_delayed_27` routing key of a task due at `eta`, when native delayed delivery is on,
   * the delay is a whole second or more, and the route's exchange is a topic or fanout exchange
   * (Celery 5.5's rule: a direct exchange cannot be bound with the delay prefix); else undefined.
   */
  private delayedTarget(route: ResolvedRoute, eta: Date | string): string | undefined {
    if (!this.routing.nativeDelayedDelivery || !route.exchange || !route.routingKey) return undefined;
    const exchange = route.declare?.exchanges?.find((candidate) => candidate.name === route.exchange);
    if (!exchange || (exchange.type !== 'topic' && exchange.type !== 'fanout')) return undefined;
    const seconds = ((eta instanceof Date ? eta.getTime() : Date.parse(eta)) - Date.now()) / 1000;
    if (!(seconds >= 1) || seconds > MAX_NATIVE_DELAY_SECONDS) return undefined;
    return delayedRoutingKey(seconds, route.routingKey);
  }

  private declareDelayedTopology(broker: Broker): Promise<void> {
    let declared = this.delayedTopologyOn.get(broker);
    if (!declared) {
      declared = broker.declare(nativeDelayedDeliveryTopology('quorum'));
      declared.catch(() => this.delayedTopologyOn.delete(broker));
      this.delayedTopologyOn.set(broker, declared);
    }
    return declared;
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
      embed: link || linkError || chain || options.chord ? { callbacks: link, errbacks: linkError, chain, chord: options.chord ?? null } : undefined,
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
