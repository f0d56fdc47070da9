export * from './claims.js';
export * from './ledger-moves.js';
export * from './rows.js';
export * from './secret-files.js';
export * from './sweep-timer.js';
export * from './transitions.js';
