export * from './amqp-broker.js';
export * from './broker.js';
export * from './broker.factory.js';
export * from './broker.errors.js';
export * from './delivery.js';
export * from './topology.js';
export { amqplib } from './amqplib.loader.js';
export * from './memory/index.js';
export * from './topic.matcher.js';
