/**
 * `nestjs-celery/health`: a `@nestjs/terminus` health indicator for Celery workers and clients.
 * Needs the optional peer dependency `@nestjs/terminus`; the main entry point never loads it.
 */
export { CeleryHealthIndicator } from './celery-health.indicator.js';
export { CeleryHealthModule } from './celery-health.module.js';
export type { CeleryHealthCheckOptions } from './celery-health.options.js';
