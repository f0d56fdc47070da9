/**
 * RESULT_CODE values (u16) of VOUCHER_RESULT (PROTOCOL.md §6.5): 0 = OK, and
 * 0x05xx, the vouchers' block (core/numbers.ts): the settlement center's
 * refusals (VOUCHER_, center/voucher/result-codes.ts, from 0x0501) and the
 * HQ's own (HQ_, here, from 0x0580). Append only. The till keeps a copy of
 * the names (terminal/agent/roles/voucher/result-codes.ts; a test checks they agree).
 */
import { assertWireResultsByPrefix } from '../../core/numbers.js';
import { VOUCHER_RESULT_CODES } from '../voucher/result-codes.js';
import type { HqCode } from './errors.js';

export const HQ_RESULT_CODES = {
  HQ_CENTER_UNREACHABLE: 0x0580,
  HQ_REVERSED: 0x0581,
  HQ_STORE_UNKNOWN: 0x0582,
  HQ_TERMINAL_INVALID: 0x0583,
  HQ_REQUEST_REUSED: 0x0584,
  HQ_UNKNOWN_ACTIVATION: 0x0585,
  HQ_PENDING: 0x0586,
  HQ_CENTER_REFUSED: 0x0587,
} as const satisfies Readonly<Partial<Record<HqCode, number>>>;

// Each in the vouchers' block (VOUCHER_ and HQ_ both belong to the seed-002 row of core/numbers.ts).
assertWireResultsByPrefix(HQ_RESULT_CODES);

/** Every code a till may see in a VOUCHER_RESULT, by name. */
export const VOUCHER_WIRE_RESULTS: Readonly<Record<string, number>> = { ...VOUCHER_RESULT_CODES, ...HQ_RESULT_CODES };

/** The wire number of a code the till may see; a center code without one is HQ_CENTER_REFUSED. */
export function voucherWireCode(code: string): number {
  return VOUCHER_WIRE_RESULTS[code] ?? HQ_RESULT_CODES.HQ_CENTER_REFUSED;
}
