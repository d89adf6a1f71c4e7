import { UseInterceptors } from '@nestjs/common';
import { EventPattern } from '@nestjs/microservices';
import {
  CELERY_EVENT_SUBSCRIPTION,
  createEventSubscription,
  type EventSubscriptionTarget,
  type OnEventOptions,
} from '../events/event-subscription.js';
import { celeryErrorInterceptor } from '../server/celery-error.interceptor.js';
import { CELERY_TRANSPORT } from '../server/celery-transport.js';

/** Prefix of the Nest patterns under which `@OnEvent` handlers are registered (never a task name). */
export const EVENT_HANDLER_PATTERN_PREFIX = '@event ';

/**
 * Subscribes a method to events, run by `ServerCelery` (which needs a `service`) through Nest's
 * pipeline:
 * - `@OnEvent(OrderSubmitted)`: events with that contract's routing key; the handler receives the
 *   validated instance.
 * - `@OnEvent([OrderSubmitted, OrderSubmittedV2])`: several versions; the instance is of the class
 *   matching the arrived routing key, `ctx.version` says which.
 * - `@OnEvent('order.*.submit', { exchange: 'order' })`: a topic pattern (`*` one word, `#` any);
 *   the handler receives the raw payload.
 *
 * The second argument is the {@link EventContext} (`@Ctx()`): routing key, version, message id.
 * A throwing handler or an invalid payload sends the event to the service's dead-letter queue,
 * with one log line. The error passes the handler's own interceptors and stops before the
 * exception filters (so Nest does not log it again); see `CeleryErrorInterceptor`, applied here.
 */
export function OnEvent(target: EventSubscriptionTarget, options: OnEventOptions = {}): MethodDecorator {
  return (prototype, key, descriptor) => {
    const handler = `${prototype.constructor.name}.${String(key)}`;
    const subscription = createEventSubscription(target, options, handler);
    const pattern = EventPattern(`${EVENT_HANDLER_PATTERN_PREFIX}${handler}`, CELERY_TRANSPORT, {
      [CELERY_EVENT_SUBSCRIPTION]: subscription,
    }) as MethodDecorator;
    pattern(prototype, key, descriptor);
    UseInterceptors(celeryErrorInterceptor)(prototype, key, descriptor);
  };
}
