import { resultBackendFromEnv } from '@app/contracts';
import type { ServerCeleryOptions } from 'nestjs-celery';

/**
 * The `ServerCelery` options of the billing worker: service `billing`, so it consumes its
 * convention queues `billing.sync` / `billing.async` and the event queue `billing.order-events`
 * (declared and bound from its `@OnEvent` handlers); failed events go to `billing.dead-letter`.
 */
export function billingServerOptions(): ServerCeleryOptions {
  return { service: 'billing', ...resultBackendFromEnv() };
}
