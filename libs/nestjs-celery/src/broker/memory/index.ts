export * from './memory-broker.errors.js';
export * from './memory-broker.js';
export * from './memory-vhost.js';
export type { QueueStats } from './memory-queue.js';
export type { PublishedMessage } from './published-message.js';
export type { XDeathEntry } from './dead-letter.properties.js';
