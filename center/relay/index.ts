export * from './bank/errors.js';
export * from './errors.js';
export * from './http-bank-adapter.js';
export * from './limits.js';
export * from './relay.js';
export * from './types.js';
export * from './validate.js';
