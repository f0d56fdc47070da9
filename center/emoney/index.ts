export * from './config.js';
export * from './emoney.js';
export * from './errors.js';
export * from './ledger-map.js';
export * from './limits.js';
export * from './reports.js';
export * from './result-codes.js';
