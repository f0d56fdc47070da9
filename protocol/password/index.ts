export * from './base32.js';
export * from './codes.js';
export * from './errors.js';
export * from './keys.js';
export * from './limits.js';
export * from './terms.js';
export * from './token.js';
export * from './verify.js';
