/**
 * `nestjs-celery/metrics`: Prometheus metrics of workers and clients, with `prom-client` (an
 * optional peer dependency the main entry point never loads).
 */
export { CeleryMetrics, type CeleryMetricsOptions } from './celery-metrics.js';
export { CeleryMetricsModule, type CeleryMetricsModuleOptions } from './celery-metrics.module.js';
export type { CeleryObserver, ObservedQueue, ObservedTaskOutcome } from '../runtime/celery-observer.js';
