export * from './types.js';
export * from './server.js';
export * from './dial-terminal.js';
