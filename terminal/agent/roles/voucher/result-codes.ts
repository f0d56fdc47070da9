/**
 * Names of the RESULT_CODE values of VOUCHER_RESULT (u16; 0 = OK, 0x05xx the
 * vouchers' block: VOUCHER_ from the settlement center, HQ_ from the HQ). The
 * center defines them (center/voucher/result-codes.ts and center/hq/result-codes.ts, append only); the till keeps
 * this copy so it does not load center code, and a test checks they agree.
 */
const NAMES: Readonly<Record<number, string>> = {
  0x0000: 'OK',
  0x0501: 'VOUCHER_SERIAL_INVALID',
  0x0502: 'VOUCHER_UNKNOWN',
  0x0503: 'VOUCHER_WRONG_CHAIN',
  0x0504: 'VOUCHER_ALREADY_ACTIVE',
  0x0505: 'VOUCHER_BLOCKED',
  0x0506: 'VOUCHER_VOIDED',
  0x0507: 'VOUCHER_EXPIRED',
  0x0508: 'VOUCHER_AMOUNT_INVALID',
  0x0509: 'VOUCHER_VOID_REFUSED',
  0x050a: 'VOUCHER_REQUEST_REUSED',
  0x050b: 'VOUCHER_PIN_REFUSED',
  0x050c: 'VOUCHER_LOCKED_OUT',
  0x050d: 'VOUCHER_INSUFFICIENT',
  0x050e: 'VOUCHER_TOO_MANY_CARDS',
  0x050f: 'VOUCHER_REDEMPTION_UNKNOWN',
  0x0510: 'VOUCHER_REDEMPTION_STATE',
  0x0511: 'VOUCHER_BATCH_PRINTED',
  0x0512: 'VOUCHER_FILE_MISMATCH',
  0x0513: 'VOUCHER_HQ_UNKNOWN',
  0x0514: 'VOUCHER_BATCH_UNKNOWN',
  0x0515: 'VOUCHER_INVALID_INPUT',
  0x0516: 'VOUCHER_LEDGER_REFUSED',
  0x0517: 'VOUCHER_KEY_FILE',
  0x0518: 'VOUCHER_PAYOUT_FAILED',
  0x0580: 'HQ_CENTER_UNREACHABLE',
  0x0581: 'HQ_REVERSED',
  0x0582: 'HQ_STORE_UNKNOWN',
  0x0583: 'HQ_TERMINAL_INVALID',
  0x0584: 'HQ_REQUEST_REUSED',
  0x0585: 'HQ_UNKNOWN_ACTIVATION',
  0x0586: 'HQ_PENDING',
  0x0587: 'HQ_CENTER_REFUSED',
};

/** The table (for the agreement test, test/core/numbers.test.ts). */
export const POS_VOUCHER_RESULT_CODES: Readonly<Record<number, string>> = NAMES;

/** The name of a result code, or `0x05xx` for one this till does not know (a newer HQ). */
export function voucherResultName(n: number): string {
  return NAMES[n] ?? `0x${n.toString(16).padStart(4, '0')}`;
}

/** HQ_PENDING: the HQ holds the request and forwards it still; the answer is not final. */
export const RESULT_HQ_PENDING = 0x0586;
