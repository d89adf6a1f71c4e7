export * from './celery-context.js';
export * from './celery-retry.js';
export * from './celery-task.options.js';
export * from './celery-transport.js';
export * from './server-celery.js';
export * from './server-celery.options.js';
export type { ServiceConcurrency } from './service-routing.options.js';
export * from './task-arguments.binder.js';
export * from './time-limits.js';
