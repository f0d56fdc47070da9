/**
 * Names of the RESULT_CODE values of CHARGE_RESULT, EMONEY_ISSUE_RESULT, PURCHASE_UPLOAD_ACK and SETTLE_REFUSED
 * (u16 on the wire; 0 = OK, 0x01xx e-money, 0x02xx bank, 0x03xx relay). The
 * center defines them (center/emoney/result-codes.ts, append only); the
 * terminal keeps this copy so it does not load center code, and a test
 * checks the two agree.
 */
import { assertWireResultsByPrefix } from '../../../../../core/numbers.js';

const NAMES: Readonly<Record<number, string>> = {
  0x0000: 'OK',
  0x0101: 'EMONEY_EXISTS_WITH_DIFFERENT_FIELDS',
  0x0102: 'EMONEY_UNKNOWN_CHARGE',
  0x0103: 'EMONEY_CHARGE_NOT_APPROVED',
  0x0104: 'EMONEY_CHARGE_REVERSED',
  0x0105: 'EMONEY_NO_PROVIDER_ACCOUNT',
  0x0106: 'EMONEY_BAD_PIN_BLOCK',
  0x0107: 'EMONEY_CARD_MISMATCH',
  0x0108: 'EMONEY_COUNTER_TAKEN',
  0x0109: 'EMONEY_COUNTER_STALE',
  0x010a: 'EMONEY_IN_DOUBT',
  0x010b: 'EMONEY_BAD_RECEIPT',
  0x010c: 'EMONEY_TERMINAL_MISMATCH',
  0x010d: 'EMONEY_NOT_A_SHOP',
  0x010e: 'EMONEY_CALLBACK_FAILED',
  0x010f: 'EMONEY_LEDGER_REFUSED',
  0x0110: 'EMONEY_CHARGE_CREDITED',
  0x0111: 'EMONEY_CHARGE_IN_PROGRESS',
  0x0112: 'EMONEY_MEDIUM_INVALID',
  0x0113: 'EMONEY_MEDIUM_UNKNOWN',
  0x0114: 'EMONEY_TERMINAL_INVALID',
  0x0115: 'EMONEY_VALIDITY_UNAVAILABLE',
  0x0116: 'EMONEY_BUSY',
  0x0201: 'BANK_WRONG_PIN',
  0x0202: 'BANK_INSUFFICIENT_FUNDS',
  0x0203: 'BANK_ACCOUNT_CLOSED',
  0x0204: 'BANK_UNKNOWN_ACCOUNT',
  0x0205: 'BANK_NOT_THIS_BANK',
  0x0206: 'BANK_TRANSFER_ID_REUSED',
  0x0207: 'BANK_TRANSFER_REVERSED',
  0x0208: 'BANK_CURRENCY_MISMATCH',
  0x0209: 'BANK_BAD_REQUEST',
  0x0301: 'RELAY_UNKNOWN_BANK',
  0x0302: 'RELAY_DIFFERENT_BANKS',
  0x0303: 'RELAY_BANK_UNREACHABLE',
  0x0304: 'RELAY_BAD_REQUEST',
};
assertWireResultsByPrefix(Object.fromEntries(Object.entries(NAMES).map(([n, name]) => [name, Number(n)]))); // core/numbers.ts

/** Every named code (the agreement test compares it with the center's table). */
export const KIOSK_RESULT_CODES: Readonly<Record<number, string>> = NAMES;

/** The registry code a result number stands for, or undefined for a number this build does not know. */
export function resultCodeName(n: number): string | undefined {
  return NAMES[n];
}

export const RESULT_OK = 0x0000;
export const RESULT_IN_DOUBT = 0x010a;
/** The center already reversed the charge (its issue timeout passed): nothing to give up. */
export const RESULT_CHARGE_REVERSED = 0x0104;
export const RESULT_IN_PROGRESS = 0x0111;
/** The purse card is lost, stolen, expired or captured: the kiosk keeps it. */
export const RESULT_MEDIUM_INVALID = 0x0112;
