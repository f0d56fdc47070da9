export { CashBook, CASH_RESULT_CODES, type CashAnswer } from './cash.js';
export { cashBox, cashCollected, cashTakings, CASH_MOVE } from './ledger-map.js';
export { CASH_LIMITS } from './limits.js';
export { cashMigrations } from './schema.js';
