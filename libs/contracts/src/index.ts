export * from './billing.tasks.js';
export * from './logistic.tasks.js';
export * from './pusher.tasks.js';
export * from './events/index.js';
export * from './result-backend.env.js';
