export * from './payment-gateway.js';
export * from './payments.tasks.js';
