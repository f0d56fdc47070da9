export * from './journal.js';
export * from './types.js';
