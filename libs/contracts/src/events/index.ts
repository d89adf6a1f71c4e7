export * from './order-submitted-line.js';
export * from './order-submission.js';
export * from './order-submitted.event.js';
export * from './order-submitted-v2.event.js';
export * from './order-charged-back.event.js';
export * from './invoice-issued.event.js';
export * from './shipment-dispatched.event.js';
