import { assert } from '../../core/assert.js';
import { MEDIUM_FORMAT } from '../../protocol/prepaid/medium.js';

/** Named limits of the prepaid center (seed 000). */
export const PREPAID_LIMITS = {
  /** A prepaid medium is valid on the validity lists for this long after issue (then `expired` everywhere). */
  mediumValidityMs: 10 * 365 * 24 * 3_600_000,
  /** Largest amount one issue or one use moves (minor units): a mistyped amount is refused, not booked. */
  amountMinorMax: 10_000_000,
  /** Usage records a balance query returns (newest first). */
  usageListMax: 100,
  /** Log entries the medium carries (the file format's own maximum). */
  logEntriesMax: MEDIUM_FORMAT.logEntriesMax,
  /** Media one frozen-list page returns. */
  frozenListMax: 500,
  /** Vendors, and providers, one config lists. */
  configPayeesMax: 1_000,
  /** How often the payout sweep runs (bounds and default, ms). */
  sweepIntervalMsMin: 100,
  sweepIntervalMsMax: 86_400_000,
  sweepIntervalMsDefault: 60_000,
  /** Payouts one sweep pass pays. */
  sweepBatchMax: 100,
  /** A payout call to the bank is claimed this long (longer than the relay's bank timeout). */
  payoutClaimMs: 60_000,
  /** The smallest payable paid out (minor units). */
  payoutMinorMin: 1,
  /** Payments one merchant API listing returns (largest page, default page). */
  paymentsPageMax: 1_000,
  paymentsPageDefault: 100,
  /** An operator's freeze reason (the admin API's reason field allows as much). */
  freezeReasonCharsMax: 200,
} as const;

assert(PREPAID_LIMITS.logEntriesMax <= PREPAID_LIMITS.usageListMax, 'a balance query returns at least what the medium shows');
assert(Number.isSafeInteger(PREPAID_LIMITS.amountMinorMax * 1000), 'a thousand maximal amounts still add up exactly');
