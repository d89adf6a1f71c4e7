import type { ServerCeleryOptions } from 'nestjs-celery';
import { InterimEventBridge, type InterimEventRoutes } from '../../shared/src/interim-event.bridge.js';

/** Interim: the events order publishes and consumes (wiring: the `@OnEvent` decorators say it). */
export const ORDER_EVENT_ROUTES: InterimEventRoutes = {
  service: 'order',
  publishes: 'order',
  subscribes: [
    { exchange: 'billing', routingKeys: ['billing.*.invoiced'] },
    { exchange: 'logistic', routingKeys: ['logistic.*.dispatched'] },
  ],
};

/**
 * The `ServerCelery` options of the order service's microservice side (it consumes events only).
 * Wiring: `{ service: 'order' }` instead of the explicit queue.
 */
export function orderServerOptions(): ServerCeleryOptions {
  return { queues: [InterimEventBridge.queue('order')], defaultQueue: InterimEventBridge.queue('order') };
}
