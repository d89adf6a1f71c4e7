export * from './chargeback.dto.js';
export * from './create-order.dto.js';
export * from './order-line.dto.js';
export * from './order-validation.pipe.js';
