export * from './billing.module.js';
export * from './billing.options.js';
export * from './billing.server.js';
export * from './billing.service.js';
