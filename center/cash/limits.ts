import { assert } from '../../core/assert.js';
import { PROTOCOL_LIMITS } from '../../protocol/limits.js';

/**
 * Named limits of the cash booking (center/cash/README.md), `<thing><Unit>Max`.
 * Notes per report and per collection are the wire's limits
 * (PROTOCOL_LIMITS.MAX_NOTES_PER_REPORT / MAX_NOTES_PER_COLLECTION), enforced
 * by the codec before the cash flow sees a message; no second cash limit.
 */
export const CashLimits = {
  /** The largest single note in minor units (10,000 JPY, 500 EUR = 50,000 cents are well under it): above it, CASH_BAD_AMOUNT. */
  noteAmountMinorMax: 1_000_000,
  /** Note keys looked up (and marked collected) per statement when checking a collection. */
  lookupNoteKeysMax: 500,
} as const;

assert(PROTOCOL_LIMITS.MAX_NOTES_PER_COLLECTION * CashLimits.noteAmountMinorMax <= Number.MAX_SAFE_INTEGER, 'a full collection total is a safe integer');
