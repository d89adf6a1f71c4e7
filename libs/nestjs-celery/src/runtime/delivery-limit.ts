import type { Delivery } from '../broker/delivery.js';

/** The header quorum queues set on a redelivered message: how many times it was delivered before. */
export const DELIVERY_COUNT_HEADER = 'x-delivery-count';

/** The reason header value of a message dead-lettered by {@link overDeliveryLimit}. */
export const DELIVERY_LIMIT_REASON = 'delivery-limit';

/**
 * The detail line when `delivery` has been delivered more often than `limit` allows (its quorum
 * queue's `x-delivery-count` is `limit` or more: this would be delivery number `limit + 1`), else
 * undefined. Classic queues set no count: their messages never exceed a limit.
 */
export function overDeliveryLimit(delivery: Delivery, limit: number | false): string | undefined {
  if (limit === false) return undefined;
  const count = delivery.message.properties.headers?.[DELIVERY_COUNT_HEADER] as unknown;
  const delivered = typeof count === 'number' ? count : typeof count === 'bigint' ? Number(count) : undefined;
  if (delivered === undefined || delivered < limit) return undefined;
  return `delivered ${delivered + 1} times (x-delivery-count ${delivered}), over the delivery limit of ${limit}: the message keeps failing (a crash or lost connection while it ran); not run again`;
}
