export * from './billing.tasks.js';
export * from './logistic.tasks.js';
