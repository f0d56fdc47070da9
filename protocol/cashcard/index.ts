export * from './commands.js';
export * from './constants.js';
export * from './errors.js';
export * from './responses.js';
