export * from './backoff.js';
export * from './link-client.js';
export * from './callback-listener.js';
