import { assert } from '../../core/assert.js';
import { PROTOCOL_LIMITS } from '../../protocol/limits.js';

/**
 * Named limits of the cash booking (center/cash/README.md). The notes of one
 * report or collection are bounded by the wire (PROTOCOL_LIMITS.notesPerReportMax,
 * PROTOCOL_LIMITS.notesPerCollectionMax), enforced by the message decoders.
 */
export const CASH_LIMITS = {
  /** The largest single note in minor units (10,000 JPY, 500 EUR = 50,000 cents are well under it). */
  noteAmountMinorMax: 1_000_000,
  /** Note keys looked up per query when checking a collection. */
  noteKeysPerLookupMax: 500,
} as const;

assert(PROTOCOL_LIMITS.notesPerCollectionMax * CASH_LIMITS.noteAmountMinorMax <= Number.MAX_SAFE_INTEGER, 'a full collection total is a safe integer');
assert(CASH_LIMITS.noteKeysPerLookupMax >= 1 && CASH_LIMITS.noteKeysPerLookupMax <= PROTOCOL_LIMITS.notesPerCollectionMax, 'a collection is checked in one or more lookups');
