import { resultBackendFromEnv } from '@app/contracts';
import type { ServerCeleryOptions } from 'nestjs-celery';

/**
 * The `ServerCelery` options of the logistic worker: service `logistic`, so it consumes its
 * convention queues `logistic.sync` / `logistic.async` (where its delayed `logistic.async.dispatch`
 * tasks wait) and the event queue `logistic.order-events` (declared and bound from its `@OnEvent`
 * handlers); failed events go to `logistic.dead-letter`.
 */
export function logisticServerOptions(): ServerCeleryOptions {
  return { service: 'logistic', ...resultBackendFromEnv() };
}
