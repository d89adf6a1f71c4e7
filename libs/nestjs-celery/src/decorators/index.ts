export * from './celery-task.decorator.js';
export * from './task-params.decorator.js';
