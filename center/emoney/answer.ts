import type { ResultCodeName } from './result-codes.js';

/**
 * A charge step's answer to the terminal (charge, abandon, issue). Its own
 * file so issue.ts and charge-service.ts, which call each other's steps, do
 * not import each other (test/house/imports.test.ts: no circle).
 */
export interface Answer {
  readonly approved: boolean;
  readonly code: ResultCodeName;
  readonly hostMac?: Buffer;
}
