/**
 * Wire result codes (u16) of the voucher flows (0x0500-0x05ff, core/numbers.ts):
 * what a till sees for each VOUCHER_ code (through its HQ). Fixed here, append only.
 */
import { assertWireResultsByPrefix } from '../../core/numbers.js';
import type { VoucherCode } from './errors.js';

export type VoucherResultName = 'OK' | VoucherCode;

const TABLE: Readonly<Record<VoucherResultName, number>> = {
  OK: 0x0000,
  VOUCHER_SERIAL_INVALID: 0x0501,
  VOUCHER_UNKNOWN: 0x0502,
  VOUCHER_WRONG_CHAIN: 0x0503,
  VOUCHER_ALREADY_ACTIVE: 0x0504,
  VOUCHER_BLOCKED: 0x0505,
  VOUCHER_VOIDED: 0x0506,
  VOUCHER_EXPIRED: 0x0507,
  VOUCHER_AMOUNT_INVALID: 0x0508,
  VOUCHER_VOID_REFUSED: 0x0509,
  VOUCHER_REQUEST_REUSED: 0x050a,
  VOUCHER_PIN_REFUSED: 0x050b,
  VOUCHER_LOCKED_OUT: 0x050c,
  VOUCHER_INSUFFICIENT: 0x050d,
  VOUCHER_TOO_MANY_CARDS: 0x050e,
  VOUCHER_REDEMPTION_UNKNOWN: 0x050f,
  VOUCHER_REDEMPTION_STATE: 0x0510,
  VOUCHER_BATCH_PRINTED: 0x0511,
  VOUCHER_FILE_MISMATCH: 0x0512,
  VOUCHER_HQ_UNKNOWN: 0x0513,
  VOUCHER_BATCH_UNKNOWN: 0x0514,
  VOUCHER_INVALID_INPUT: 0x0515,
  VOUCHER_LEDGER_REFUSED: 0x0516,
  VOUCHER_KEY_FILE: 0x0517,
  VOUCHER_PAYOUT_FAILED: 0x0518,
};

assertWireResultsByPrefix(TABLE);

export const VOUCHER_RESULT_CODES: Readonly<Record<VoucherResultName, number>> = TABLE;

const BY_NUMBER = new Map(Object.entries(TABLE).map(([k, v]) => [v, k as VoucherResultName]));

export function voucherResultCodeOf(name: VoucherResultName): number {
  return TABLE[name];
}

/** The name of a result number, or undefined for a number not in the table. */
export function voucherResultCodeName(n: number): VoucherResultName | undefined {
  return BY_NUMBER.get(n);
}
