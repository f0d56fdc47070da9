/**
 * RESULT_CODE values (u16) of VOUCHER_RESULT (PROTOCOL.md §6.5): 0 = OK, and
 * 0x05xx, the vouchers' block (core/numbers.ts): the settlement center's
 * refusals a till can meet (VOUCHER_, center/voucher/errors.ts) from 0x0501,
 * the HQ's own (HQ_, center/hq/errors.ts) from 0x0580. Append only. The till
 * keeps a copy of the names (terminal/agent/roles/voucher/result-codes.ts; a
 * test checks they agree).
 */
import { assertWireResultsByPrefix } from '../../core/numbers.js';
import type { HqCode } from './errors.js';

export const VOUCHER_WIRE_RESULTS = {
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
  HQ_CENTER_UNREACHABLE: 0x0580,
  HQ_REVERSED: 0x0581,
  HQ_STORE_UNKNOWN: 0x0582,
  HQ_TERMINAL_INVALID: 0x0583,
  HQ_REQUEST_REUSED: 0x0584,
  HQ_UNKNOWN_ACTIVATION: 0x0585,
  HQ_PENDING: 0x0586,
  HQ_CENTER_REFUSED: 0x0587,
} as const satisfies Readonly<Partial<Record<'OK' | `VOUCHER_${string}` | HqCode, number>>>;

export type VoucherWireName = keyof typeof VOUCHER_WIRE_RESULTS;

// Each in the vouchers' block (VOUCHER_ and HQ_ both belong to the seed-002 row of core/numbers.ts).
assertWireResultsByPrefix(VOUCHER_WIRE_RESULTS);

/** The wire number of a code the till may see; a center code without one is HQ_CENTER_REFUSED. */
export function voucherWireCode(code: string): number {
  return (VOUCHER_WIRE_RESULTS as Readonly<Record<string, number>>)[code] ?? VOUCHER_WIRE_RESULTS.HQ_CENTER_REFUSED;
}
