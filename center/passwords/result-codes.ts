/**
 * RESULT_CODE values (u16) of PASSWORD_SALE_RESULT (PROTOCOL.md §6.6): 0 =
 * OK, 0x06xx the passwords' refusals and the format checks. The string codes
 * are the registries' (docs/ERRORS.md); the numbers are fixed here, append only.
 */
import { assertWireResultsByPrefix } from '../../core/numbers.js';

const TABLE = {
  OK: 0x0000,
  PASSWORD_EXISTS_WITH_DIFFERENT_FIELDS: 0x0601,
  PASSWORD_UNKNOWN: 0x0602,
  PASSWORD_LOCKED_OUT: 0x0603,
  PASSWORD_NOT_DELIVERED: 0x0604,
  PASSWORD_EXPIRED: 0x0605,
  PASSWORD_REVOKED: 0x0606,
  PASSWORD_USED_UP: 0x0607,
  PASSWORD_OVER_AMOUNT: 0x0608,
  PASSWORD_CURRENCY_MISMATCH: 0x0609,
  PASSWORD_WRONG_PAYEE: 0x060a,
  PASSWORD_GOODS_NOT_ALLOWED: 0x060b,
  PASSWORD_USER_MISMATCH: 0x060c,
  PASSWORD_DEVICE_REQUIRED: 0x060d,
  PASSWORD_REPLAYED: 0x060e,
  PASSWORD_BAD_REQUEST: 0x060f,
  PASSWORD_LEDGER_REFUSED: 0x0610,
  PWTOKEN_MALFORMED: 0x0620,
  PWTOKEN_BAD_SIGNATURE: 0x0621,
  PWTOKEN_UNKNOWN_KEY: 0x0622,
  PWTOKEN_CODE_MISMATCH: 0x0623,
  PWTOKEN_BAD_DEVICE_SIGNATURE: 0x0624,
  PWTOKEN_STALE: 0x0625,
  PWTOKEN_NOT_DEVICE_BOUND: 0x0626,
  PWTOKEN_PRESENTATION_MISMATCH: 0x0627,
} as const;
assertWireResultsByPrefix(TABLE);

export type PasswordResultName = keyof typeof TABLE;
export const PASSWORD_RESULT_CODES: Readonly<Record<PasswordResultName, number>> = TABLE;

/** The wire result of a coded outcome; a code not in the table is a decline of the nearest kind (bad request). */
export function passwordResultCode(code: string): number {
  return (TABLE as Readonly<Record<string, number>>)[code] ?? TABLE.PASSWORD_BAD_REQUEST;
}
