export * from './apdu.js';
export * from './atr.js';
export * from './commands.js';
export * from './constants.js';
export * from './crypto.js';
export * from './errors.js';
export * from './responses.js';
export * from './status-words.js';
