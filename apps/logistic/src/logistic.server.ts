import type { ServerCeleryOptions } from 'nestjs-celery';
import { InterimEventBridge, type InterimEventRoutes } from '../../shared/src/interim-event.bridge.js';

/** Interim: the events logistic publishes and consumes (wiring: the `@OnEvent` decorators say it). */
export const LOGISTIC_EVENT_ROUTES: InterimEventRoutes = {
  service: 'logistic',
  publishes: 'logistic',
  subscribes: [{ exchange: 'order', routingKeys: ['order.*.submit', 'order.*.chargeback'] }],
};

/**
 * The `ServerCelery` options of the logistic worker. Wiring: `{ service: 'logistic' }` (convention
 * queues `logistic.sync` / `logistic.async` and the event queue) instead of the explicit queues.
 */
export function logisticServerOptions(): ServerCeleryOptions {
  return {
    queues: ['logistic.sync', 'logistic.async', InterimEventBridge.queue('logistic')],
    defaultQueue: 'logistic.async',
  };
}
