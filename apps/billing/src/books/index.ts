export * from './billing-books.js';
export * from './billing-journal.file.js';
export * from './billing-record.js';
