import { resultBackendFromEnv } from '@app/contracts';
import type { ServerCeleryOptions } from 'nestjs-celery';

/**
 * The `ServerCelery` options of the order service's microservice side: service `order`, so it
 * consumes the event queues `order.billing-events` and `order.logistic-events` (declared and bound
 * from its `@OnEvent` handlers) besides its (idle) convention queues `order.sync` / `order.async`.
 */
export function orderServerOptions(): ServerCeleryOptions {
  return { service: 'order', ...resultBackendFromEnv() };
}
