export * from './shipment-book.js';
