export * from './center-metrics.js';
export * from './http.js';
