export * from './celery-module.options.js';
export * from './celery.module.js';
export { CELERY_MODULE_OPTIONS } from './celery.module-definition.js';
