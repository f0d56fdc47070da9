export * from './errors.js';
export * from './ints.js';
export * from './open.js';
export * from './postgres.js';
export * from './sqlite.js';
export * from './sql-storage.js';
export * from './types.js';
