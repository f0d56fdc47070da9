import { assert } from '../../core/assert.js';
import { PROTOCOL_LIMITS } from '../../protocol/limits.js';

/** Named limits of the cash booking (center/cash/README.md). */
export const CASH_LIMITS = {
  /** Most notes booked in one CASH_NOTES_REPORT (the wire limit). */
  NOTES_PER_REPORT_MAX: PROTOCOL_LIMITS.MAX_NOTES_PER_REPORT,
  /** Most notes one CASH_COLLECTION moves (the wire limit). */
  NOTES_PER_COLLECTION_MAX: PROTOCOL_LIMITS.MAX_NOTES_PER_COLLECTION,
  /** The largest single note in minor units (10,000 JPY, 500 EUR = 50,000 cents are well under it). */
  NOTE_AMOUNT_MAX_MINOR: 1_000_000,
  /** Note keys looked up per query when checking a collection. */
  LOOKUP_CHUNK: 500,
} as const;

assert(CASH_LIMITS.NOTES_PER_COLLECTION_MAX * CASH_LIMITS.NOTE_AMOUNT_MAX_MINOR <= Number.MAX_SAFE_INTEGER, 'a full collection total is a safe integer');
