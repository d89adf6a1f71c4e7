export * from './order-status.machine.js';
export * from './order.errors.js';
export * from './order.js';
export * from './order.store.js';
