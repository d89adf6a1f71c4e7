export * from './order.module.js';
export * from './order.server.js';
export * from './order.service.js';
export * from './orders/index.js';
