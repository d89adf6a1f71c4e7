import type { CeleryModuleOptions } from 'nestjs-celery';

/** Options of {@link LogisticModule.register}. */
export interface LogisticModuleOptions {
  /** The Celery client's options, over the defaults `{ brokerUrl: CELERY_BROKER_URL, services: ['logistic'] }` (e.g. a shared `broker`). */
  celery?: CeleryModuleOptions;
  /** Seconds between scheduling and dispatching a shipment. Default `LOGISTIC_DISPATCH_DELAY_S`, else 3. */
  dispatchDelaySeconds?: number;
}

/** A bad logistic option; the message names it and says what is expected. */
export class InvalidLogisticOptionError extends Error {
  override readonly name = 'InvalidLogisticOptionError';
}

/** Logistic options after validation, with defaults applied. */
export type ResolvedLogisticOptions = Required<Omit<LogisticModuleOptions, 'celery'>>;

/** Injection token of the resolved options. */
export const LOGISTIC_OPTIONS = Symbol('LOGISTIC_OPTIONS');

/** Checks the options and fills in defaults from the environment. */
export function resolveLogisticOptions(options: LogisticModuleOptions, env = process.env): ResolvedLogisticOptions {
  const delay = options.dispatchDelaySeconds ?? (env.LOGISTIC_DISPATCH_DELAY_S !== undefined ? Number(env.LOGISTIC_DISPATCH_DELAY_S) : 3);
  if (!Number.isFinite(delay) || delay < 0) {
    throw new InvalidLogisticOptionError(`logistic dispatchDelaySeconds (LOGISTIC_DISPATCH_DELAY_S) must be a number >= 0, got ${String(delay)}`);
  }
  return { dispatchDelaySeconds: delay };
}
