/** The sample shop's services, as their apps name themselves. */
export const SHOP_SERVICES = ['billing', 'logistic', 'order'] as const;

/**
 * The queues the sample shop declares on a broker: per service its convention queues and
 * dead-letter queue, and the event queues of the `@OnEvent` handlers it runs by default.
 */
export const SHOP_QUEUES = [
  ...SHOP_SERVICES.flatMap((s) => [`${s}.sync`, `${s}.async`, `${s}.dead-letter`]),
  'billing.order-events',
  'logistic.order-events',
  'order.billing-events',
  'order.logistic-events',
];

/** The exchanges the sample shop declares: each service's topic exchange and its dead-letter exchange. */
export const SHOP_EXCHANGES = [...SHOP_SERVICES, ...SHOP_SERVICES.map((s) => `${s}.dead-letter`)];
