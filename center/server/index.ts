export * from './config.js';
export * from './errors.js';
export * from './module.js';
export * from './session-router.js';
export * from './start-center.js';
export * from './terminal-keys.js';
