export * from './account.js';
export * from './journal-entry.js';
export * from './ledger.errors.js';
export * from './ledger.js';
