export * from './celery-module.options.js';
export * from './celery.module.js';
export * from './celery.tokens.js';
export * from './inject-celery.decorator.js';
export { CELERY_MODULE_OPTIONS, type CeleryModuleExtras } from './celery.module-definition.js';
