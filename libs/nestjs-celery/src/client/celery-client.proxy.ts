import { ClientProxy, type PacketMetadata, type ReadPacket, type WritePacket } from '@nestjs/microservices';
import type { Subscription } from 'rxjs';
import type { BrokerStatus } from '../broker/broker.js';
import { CELERY_EVENT_METADATA } from '../events/celery-event.metadata.js';
import { EventPublisher } from '../events/event-publisher.js';
import { CeleryClient } from './celery-client.js';
import type { CeleryClientOptions } from './celery-client.options.js';
import { toCeleryCall } from './celery-call.js';
import { CeleryInvalidCallError } from '../producer/producer.errors.js';
import type { SendTaskOptions } from '../producer/send-task.options.js';

/** Options of a {@link CeleryClientProxy}: a client of its own, or one to share. */
export interface CeleryClientProxyOptions extends CeleryClientOptions {
  /**
   * Send through this client (e.g. the one `CeleryModule` provides) instead of opening a
   * connection; the proxy then neither connects nor closes it beyond `connect()`. Not together
   * with `brokerUrl` or `broker`.
   */
  client?: CeleryClient;
  /** Publish `@CeleryEvent` instances through this publisher. Default: one on the client's connection. */
  eventPublisher?: EventPublisher;
  /**
   * How long `send()` waits for a result before it errors with `CeleryTimeoutError`, in ms.
   * Default: no limit (as `AsyncResult.get()`); rxjs `timeout()` works as well.
   */
  resultTimeoutMs?: number;
}

/** Events of {@link CeleryClientProxy.on}. */
export type CeleryClientProxyEvents = {
  /** The broker connection's state changed. */
  status: (status: BrokerStatus) => void;
};

/** True when `value` is an instance of a `@CeleryEvent` class. */
function isEventInstance(value: unknown): value is object {
  return typeof value === 'object' && value !== null && Reflect.hasMetadata(CELERY_EVENT_METADATA, value.constructor);
}

/**
 * The packet's metadata (set by a `setOnDispatchHook` hook: a trace id, a tenant) as message
 * headers, which the worker shows in `CeleryContext.headers` and Python in `task.request`;
 * headers given in `celeryCall()` options win.
 */
function withMetadata(options: SendTaskOptions, metadata: PacketMetadata | undefined): SendTaskOptions {
  return metadata ? { ...options, headers: { ...metadata, ...options.headers } } : options;
}

/**
 * Celery as a Nest `ClientProxy`, for `ClientsModule.register([{ name, customClass: CeleryClientProxy, options }])`
 * or straight from `CeleryModule`:
 *
 * - `send(taskName, data)` sends the task and emits its result once, then completes; a FAILURE or
 *   REVOKED result errors with the typed `CeleryRemoteError` (Python's exception type, args, traceback).
 * - `emit(taskName, data)` sends the task fire-and-forget (no reply, `ignore_result`) and emits its
 *   task id once the broker confirmed it; `emit(routingKey, event)` with a `@CeleryEvent` instance
 *   publishes the event instead (validated, on its topic exchange) and emits the message id.
 *
 * `data` is an array (positional args), a plain object (kwargs) or `celeryCall(args, kwargs, options)`;
 * see `toCeleryCall`. Metadata a `setOnDispatchHook` hook attaches travels as message headers. Routing follows the client's `taskRoutes` and `services`, as `CeleryClient.sendTask` does.
 * `status` emits the connection's `BrokerStatus` values (typed `string`, as `customClass` requires a plain `ClientProxy`).
 */
export class CeleryClientProxy extends ClientProxy<CeleryClientProxyEvents> {
  private readonly client: CeleryClient;
  private readonly ownsClient: boolean;
  private readonly publisher: EventPublisher;
  private readonly resultTimeoutMs?: number;
  private readonly statusSubscription: Subscription;
  private connecting?: Promise<void>;

  constructor(options: CeleryClientProxyOptions = {}) {
    super();
    const { client, eventPublisher, resultTimeoutMs, ...clientOptions } = options;
    if (client && (clientOptions.brokerUrl !== undefined || clientOptions.broker !== undefined)) {
      throw new CeleryInvalidCallError("CeleryClientProxy options 'client' and 'brokerUrl'/'broker' exclude each other: give one of them");
    }
    if (resultTimeoutMs !== undefined && (typeof resultTimeoutMs !== 'number' || !(resultTimeoutMs > 0))) {
      throw new CeleryInvalidCallError(`CeleryClientProxy option 'resultTimeoutMs' must be a positive number of ms, got ${String(resultTimeoutMs)}`);
    }
    this.ownsClient = !client;
    this.client = client ?? new CeleryClient(clientOptions);
    this.publisher = eventPublisher ?? new EventPublisher(this.client.unwrap(), clientOptions.origin, clientOptions.wireHeaders);
    this.resultTimeoutMs = resultTimeoutMs;
    this.statusSubscription = this.client.status$.subscribe((status) => this._status$.next(status));
  }

  /** Connects the client and starts its result consumer (once; `send`/`emit` call it). */
  connect(): Promise<void> {
    this.connecting ??= this.client.connect().catch((error: unknown) => {
      this.connecting = undefined;
      throw error;
    });
    return this.connecting;
  }

  /** Closes the client if the proxy opened it (a shared client is left to its owner). Idempotent. */
  async close(): Promise<void> {
    this.statusSubscription.unsubscribe();
    if (this.ownsClient) await this.client.close();
  }

  /** Listens to `status` changes of the broker connection. */
  override on<EventKey extends keyof CeleryClientProxyEvents = keyof CeleryClientProxyEvents>(
    event: EventKey,
    callback: CeleryClientProxyEvents[EventKey],
  ): void {
    if (event !== 'status') throw new CeleryInvalidCallError(`CeleryClientProxy.on(): unknown event '${String(event)}'; only 'status' exists`);
    this.client.status$.subscribe(callback);
  }

  /** The {@link CeleryClient} underneath, for what a proxy cannot say (chains, groups, control, AsyncResult). */
  unwrap<T = CeleryClient>(): T {
    return this.client as T;
  }

  /** `send()`: sends the task, then reports its result (or the remote error) to `callback`. */
  protected publish(packet: ReadPacket, callback: (packet: WritePacket) => void): () => void {
    // Unsubscribing stops the report; the task itself is sent already and runs anyway.
    let active = true;
    void this.call(packet).then(
      (response) => {
        if (active) callback({ response, isDisposed: true });
      },
      (err: unknown) => {
        if (active) callback({ err, isDisposed: true });
      },
    );
    return () => {
      active = false;
    };
  }

  /** `emit()`: publishes an event, or sends a task without a reply; resolves with the message id. */
  protected dispatchEvent<T = string>(packet: ReadPacket): Promise<T> {
    return this.fireAndForget(packet) as Promise<T>;
  }

  private async call(packet: ReadPacket): Promise<unknown> {
    if (isEventInstance(packet.data)) {
      throw new CeleryInvalidCallError(`an event has no result: publish '${String(packet.pattern)}' with emit(), not send()`);
    }
    const { name, args, kwargs, options } = toCeleryCall(packet.pattern, packet.data);
    const result = await this.client.sendTask(name, args, kwargs, withMetadata(options, packet.metadata));
    return result.get({ timeout: this.resultTimeoutMs });
  }

  private async fireAndForget(packet: ReadPacket): Promise<string> {
    const { pattern, data } = packet;
    if (isEventInstance(data)) {
      const { routingKey } = Reflect.getMetadata(CELERY_EVENT_METADATA, data.constructor) as { routingKey: string };
      if (pattern !== routingKey) {
        throw new CeleryInvalidCallError(
          `emit(${JSON.stringify(pattern)}, event): the pattern must be the event's routing key '${routingKey}' (from its @CeleryEvent)`,
        );
      }
      return this.publisher.publish(data);
    }
    const { name, args, kwargs, options } = toCeleryCall(pattern, data);
    const result = await this.client.sendTask(name, args, kwargs, { ...withMetadata(options, packet.metadata), replyTo: null, ignoreResult: true });
    return result.id;
  }
}
