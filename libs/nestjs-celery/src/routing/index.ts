export * from './routing.errors.js';
export * from './service-convention.js';
export * from './task-queue.js';
export * from './task-route.js';
export * from './task-router.js';
export * from './task-routes.js';
