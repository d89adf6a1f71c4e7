export * from './logistic.module.js';
export * from './logistic.options.js';
export * from './logistic.server.js';
export * from './logistic.service.js';
