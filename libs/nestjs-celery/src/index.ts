/**
 * nestjs-celery: Celery's task bus for NestJS, speaking Celery protocol v2 over RabbitMQ so Nest
 * and Python Celery services call each other.
 */
export * from './broker/index.js';
export * from './client/index.js';
export * from './control/index.js';
export * from './decorators/index.js';
export * from './module/index.js';
export * from './protocol/index.js';
export * from './routing/index.js';
export * from './server/index.js';
export * from './events/index.js';
