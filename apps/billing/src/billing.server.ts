import type { ServerCeleryOptions } from 'nestjs-celery';
import { InterimEventBridge, type InterimEventRoutes } from '../../shared/src/interim-event.bridge.js';

/** Interim: the events billing publishes and consumes (wiring: the `@OnEvent` decorators say it). */
export const BILLING_EVENT_ROUTES: InterimEventRoutes = {
  service: 'billing',
  publishes: 'billing',
  subscribes: [{ exchange: 'order', routingKeys: ['order.*.submit', 'order.*.chargeback'] }],
};

/**
 * The `ServerCelery` options of the billing worker. Wiring: `{ service: 'billing' }` (convention
 * queues `billing.sync` / `billing.async` and the event queue) instead of the explicit queues.
 */
export function billingServerOptions(): ServerCeleryOptions {
  return {
    queues: ['billing.sync', InterimEventBridge.queue('billing')],
    defaultQueue: 'billing.sync',
  };
}
