export * from './audit.js';
export * from './errors.js';
export * from './ledger.js';
export * from './results.js';
export { ledgerMigrations } from './schema.js';
export * from './types.js';
export * from './audit-target.js';
