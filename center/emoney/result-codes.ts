/**
 * RESULT_CODE values (u16) of CHARGE_RESULT, EMONEY_ISSUE_RESULT, PURCHASE_UPLOAD_ACK and SETTLE_REFUSED: 0 = OK,
 * 0x01xx e-money, 0x02xx bank declines, 0x03xx relay. The string codes are
 * the registries' (docs/ERRORS.md); the numbers are fixed here, append only.
 */
import { assertWireResultsByPrefix } from '../../core/numbers.js';
import type { TransferCode } from '../relay/types.js';
import type { EmoneyCode } from './errors.js';

export type ResultCodeName = 'OK' | EmoneyCode | TransferCode;

const TABLE: Readonly<Record<ResultCodeName, number>> = {
  OK: 0x0000,
  EMONEY_EXISTS_WITH_DIFFERENT_FIELDS: 0x0101,
  EMONEY_UNKNOWN_CHARGE: 0x0102,
  EMONEY_CHARGE_NOT_APPROVED: 0x0103,
  EMONEY_CHARGE_REVERSED: 0x0104,
  EMONEY_NO_PROVIDER_ACCOUNT: 0x0105,
  EMONEY_BAD_PIN_BLOCK: 0x0106,
  EMONEY_CARD_MISMATCH: 0x0107,
  EMONEY_COUNTER_TAKEN: 0x0108,
  EMONEY_COUNTER_STALE: 0x0109,
  EMONEY_IN_DOUBT: 0x010a,
  EMONEY_BAD_RECEIPT: 0x010b,
  EMONEY_TERMINAL_MISMATCH: 0x010c,
  EMONEY_NOT_A_SHOP: 0x010d,
  EMONEY_CALLBACK_FAILED: 0x010e,
  EMONEY_LEDGER_REFUSED: 0x010f,
  EMONEY_CHARGE_CREDITED: 0x0110,
  EMONEY_CHARGE_IN_PROGRESS: 0x0111,
  EMONEY_MEDIUM_INVALID: 0x0112,
  EMONEY_MEDIUM_UNKNOWN: 0x0113,
  EMONEY_TERMINAL_INVALID: 0x0114,
  EMONEY_VALIDITY_UNAVAILABLE: 0x0115,
  EMONEY_BUSY: 0x0116,
  BANK_WRONG_PIN: 0x0201,
  BANK_INSUFFICIENT_FUNDS: 0x0202,
  BANK_ACCOUNT_CLOSED: 0x0203,
  BANK_UNKNOWN_ACCOUNT: 0x0204,
  BANK_NOT_THIS_BANK: 0x0205,
  BANK_TRANSFER_ID_REUSED: 0x0206,
  BANK_TRANSFER_REVERSED: 0x0207,
  BANK_CURRENCY_MISMATCH: 0x0208,
  BANK_BAD_REQUEST: 0x0209,
  RELAY_UNKNOWN_BANK: 0x0301,
  RELAY_DIFFERENT_BANKS: 0x0302,
  RELAY_BANK_UNREACHABLE: 0x0303,
  RELAY_BAD_REQUEST: 0x0304,
};

// Each code in its area's block (core/numbers.ts): EMONEY_ 0x01xx, BANK_ 0x02xx, RELAY_ 0x03xx.
assertWireResultsByPrefix(TABLE);

/** The whole table (for the number-registry test, test/core/numbers.test.ts). */
export const RESULT_CODES: Readonly<Record<ResultCodeName, number>> = TABLE;

const BY_NUMBER = new Map(Object.entries(TABLE).map(([k, v]) => [v, k as ResultCodeName]));

export function resultCodeOf(name: ResultCodeName): number {
  return TABLE[name];
}

/** The name of a RESULT_CODE number, or undefined for a number not in the table. */
export function resultCodeName(n: number): ResultCodeName | undefined {
  return BY_NUMBER.get(n);
}
