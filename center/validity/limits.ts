import { assert } from '../../core/assert.js';

/** Named maxima of the validity store and engine (TIGER_STYLE: every bound has a name). */
export const ValidityLimits = {
  /** Media held in the in-memory table (10 M planned; headroom for growth). */
  mediaMax: 20_000_000,
  /** Terminals held in memory (a Map: far fewer terminals than cards). */
  terminalsMax: 1_000_000,
  /** Rows fetched per page while prefetching. */
  loadPageSize: 5_000,
  /** Pages read by one prefetch before it is declared runaway. */
  loadPagesMax: 20_000_000 / 5_000 + 1_000_000 / 5_000 + 2,
  /** Open-addressing fill (percent) above which the media table grows. */
  tableFillPercentMax: 80,
  /** Table growth factor when the fill limit is reached (numerator/denominator). */
  tableGrowNumerator: 3,
  tableGrowDenominator: 2,
  /** Room (percent of the media count) a prefetched table leaves for new media before it must grow. */
  tableHeadroomPercent: 10,
  /** Smallest table (slots). */
  tableSlotsMin: 1_024,
  /** A deferred database check (configurations 2, 3) that takes longer is a NAK UNAVAILABLE. */
  deferredCheckTimeoutMs: 5_000,
  /** Refresh interval bounds (config). */
  refreshIntervalMsMin: 1_000,
  refreshIntervalMsMax: 24 * 3_600_000,
  /** Changed ids re-read in parallel in one batch. */
  changeBatchMax: 256,
  /** A block committed in the database is refused by every node within this time. */
  blockToRefuseMsMax: 1_000,
  /** Retry delay after a failed reload or lost subscription. */
  reloadRetryMs: 500,
} as const;

assert(ValidityLimits.mediaMax < 2 ** 31, 'media table indexes must fit int32');
assert(ValidityLimits.tableFillPercentMax > 0 && ValidityLimits.tableFillPercentMax < 100, 'fill must leave empty slots');
assert(ValidityLimits.tableGrowNumerator > ValidityLimits.tableGrowDenominator, 'growth must grow');
assert(
  ValidityLimits.loadPagesMax * ValidityLimits.loadPageSize >= ValidityLimits.mediaMax + ValidityLimits.terminalsMax,
  'prefetch page budget must cover every row',
);
assert(ValidityLimits.reloadRetryMs < ValidityLimits.blockToRefuseMsMax, 'a retry must fit the block-to-refuse bound');
assert(ValidityLimits.refreshIntervalMsMin <= ValidityLimits.refreshIntervalMsMax, 'refresh bounds ordered');
