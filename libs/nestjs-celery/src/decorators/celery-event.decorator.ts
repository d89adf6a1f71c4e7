import { CELERY_EVENT_METADATA, checkEventOptions, type CeleryEventOptions } from '../events/celery-event.metadata.js';

/**
 * Marks a class as an event contract published on topic exchange `exchange` with `routingKey`
 * (which carries the version: `order.v1.submit`). Fields are validated with class-validator and
 * (de)serialized with class-transformer (use `@Type(() => Date)` for dates, `@ValidateNested` and
 * `@Type` for nested objects).
 *
 * ```ts
 * @CeleryEvent({ exchange: 'order', routingKey: 'order.v1.submit' })
 * export class OrderSubmitted { @IsString() orderId!: string; ... }
 * ```
 */
export function CeleryEvent(options: CeleryEventOptions): ClassDecorator {
  const descriptor = checkEventOptions(options, '@CeleryEvent');
  return (target) => {
    Reflect.defineMetadata(CELERY_EVENT_METADATA, descriptor, target);
  };
}
