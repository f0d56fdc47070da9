/**
 * Names of the RESULT_CODE values of PASSWORD_SALE_RESULT (u16; 0 = OK,
 * 0x06xx the TTP's). The TTP defines them (center/passwords/result-codes.ts,
 * append only); the till keeps this copy so it does not load center code, and
 * a test checks they agree.
 */
const NAMES: Readonly<Record<number, string>> = {
  0x0000: 'OK',
  0x0601: 'PASSWORD_EXISTS_WITH_DIFFERENT_FIELDS',
  0x0602: 'PASSWORD_UNKNOWN',
  0x0603: 'PASSWORD_LOCKED_OUT',
  0x0604: 'PASSWORD_NOT_DELIVERED',
  0x0605: 'PASSWORD_EXPIRED',
  0x0606: 'PASSWORD_REVOKED',
  0x0607: 'PASSWORD_USED_UP',
  0x0608: 'PASSWORD_OVER_AMOUNT',
  0x0609: 'PASSWORD_CURRENCY_MISMATCH',
  0x060a: 'PASSWORD_WRONG_PAYEE',
  0x060b: 'PASSWORD_GOODS_NOT_ALLOWED',
  0x060c: 'PASSWORD_USER_MISMATCH',
  0x060d: 'PASSWORD_DEVICE_REQUIRED',
  0x060e: 'PASSWORD_REPLAYED',
  0x060f: 'PASSWORD_BAD_REQUEST',
  0x0610: 'PASSWORD_LEDGER_REFUSED',
  0x0620: 'PWTOKEN_MALFORMED',
  0x0621: 'PWTOKEN_BAD_SIGNATURE',
  0x0622: 'PWTOKEN_UNKNOWN_KEY',
  0x0623: 'PWTOKEN_CODE_MISMATCH',
  0x0624: 'PWTOKEN_BAD_DEVICE_SIGNATURE',
  0x0625: 'PWTOKEN_STALE',
  0x0626: 'PWTOKEN_NOT_DEVICE_BOUND',
  0x0627: 'PWTOKEN_PRESENTATION_MISMATCH',
};

/** The table (for the agreement test, test/core/numbers.test.ts). */
export const POS_PASSWORD_RESULT_CODES: Readonly<Record<number, string>> = NAMES;

/** The name of a result code, or `0x06xx` for one this till does not know (a newer TTP). */
export function passwordResultName(n: number): string {
  return NAMES[n] ?? `0x${n.toString(16).padStart(4, '0')}`;
}
