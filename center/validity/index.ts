export * from './engine.js';
export * from './errors.js';
export * from './ids.js';
export * from './judge.js';
export * from './limits.js';
export * from './media-table.js';
export * from './types.js';
export * from './validity-store.js';
