export * from './celery-task.decorator.js';
export * from './task-params.decorator.js';
export * from './celery-event.decorator.js';
export * from './on-event.decorator.js';
