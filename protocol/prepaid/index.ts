export * from './errors.js';
export * from './keys.js';
export * from './medium.js';
export * from './slots.js';
export * from './channel.js';
export * from './receipt.js';
