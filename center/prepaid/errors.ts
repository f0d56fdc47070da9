/**
 * The prepaid capability's error registry is declared once, in
 * protocol/prepaid/errors.ts, because the client reads the same codes (the
 * medium codec's and the center's refusals) and nothing under terminal/ may
 * import center/. Re-exported here so the module's files read like e-money's.
 */
export { PREPAID_ERRORS, prepaidError, type PrepaidErrorCode } from '../../protocol/prepaid/errors.js';
