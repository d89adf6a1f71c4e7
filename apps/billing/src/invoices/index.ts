export * from './invoice-book.js';
export * from './money.js';
export * from './sale.builder.js';
