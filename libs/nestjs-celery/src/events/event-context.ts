import type { ConsumeMessage } from 'amqplib';
import type { TaskRequest } from '../protocol/task-message.js';
import { CeleryContext } from '../runtime/celery-context.js';
import { eventVersion } from './event-version.js';

/**
 * What an `@OnEvent` handler knows about the event it runs for (inject it with `@Ctx()`): the
 * routing key it was published with, the version read from it, the message id, plus everything
 * a {@link CeleryContext} offers (headers, delivery info, cancellation signal).
 */
export class EventContext extends CeleryContext {
  /** Version from the routing key's `v<N>` word (`order.v2.submit` → 2), or null. */
  readonly version: number | null;

  constructor(
    request: TaskRequest,
    message: ConsumeMessage,
    hostname: string,
    /** `Class.method` of the handler this context is for. */
    readonly handler: string,
  ) {
    super(request, message, hostname);
    this.version = eventVersion(message.fields.routingKey);
  }

  /**
   * @internal An event handler's failure always ends the call quietly, without Nest's exception
   * filters: the event dispatcher dead-letters the event with the kept error and logs it once.
   */
  override keepFailure(error: unknown): boolean {
    this.captureError(error);
    return true;
  }

  /** Routing key the event was published with, e.g. `order.v1.submit`. */
  get routingKey(): string {
    return this.message.fields.routingKey;
  }

  /** Exchange the event was published to (the producing service's), e.g. `order`. */
  get exchange(): string {
    return this.message.fields.exchange;
  }

  /** The event's message id (its Celery task id). */
  get messageId(): string {
    return this.request.id;
  }
}
