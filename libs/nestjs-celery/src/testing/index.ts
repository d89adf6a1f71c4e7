/**
 * nestjs-celery/testing: run `@CeleryTask` handlers and clients in-process on the in-memory
 * broker, with no RabbitMQ.
 */
export { MemoryBroker, MemoryVhost, type MemoryBrokerOptions, type MemoryVhostOptions, type PublishedMessage, type QueueStats } from '../broker/memory/index.js';
export * from './memory-broker.factory.js';
export * from './published-message.waiter.js';
export * from './queues-idle.waiter.js';
export * from './test-client.js';
export * from './test-worker.js';
