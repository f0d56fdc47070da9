import { assert } from '../../core/assert.js';

/** Named maxima of the validity store and engine (TIGER_STYLE: every bound has a name). */
export const VALIDITY_LIMITS = {
  /** Media held in the in-memory table (10 M planned; headroom for growth). */
  mediaMax: 20_000_000,
  /** Terminals held in memory (a Map: far fewer terminals than cards). */
  terminalsMax: 1_000_000,
  /** Rows fetched per page while prefetching. */
  loadPageRowsMax: 5_000,
  /** Pages read by one prefetch before it is declared runaway. */
  loadPagesMax: 20_000_000 / 5_000 + 1_000_000 / 5_000 + 2,
  /** Open-addressing fill (percent) above which the media table grows. */
  tableFillPercentMax: 80,
  /** Table size after growing, in percent of its size before (when the fill limit is reached). */
  tableGrowPercent: 150,
  /** Room (percent of the media count) a prefetched table leaves for new media before it must grow. */
  tableHeadroomPercent: 10,
  /** Smallest table (slots). */
  tableSlotsMin: 1_024,
  /** A deferred database check (configurations 2, 3) that takes longer is a NAK UNAVAILABLE. */
  deferredCheckTimeoutMsDefault: 5_000,
  /** Refresh interval bounds (config). */
  refreshIntervalMsMin: 1_000,
  refreshIntervalMsMax: 24 * 3_600_000,
  /** Changed ids re-read in parallel in one batch. */
  changeBatchMax: 256,
  /**
   * A block committed in the database is refused by every node within this time: a design
   * target the other timings are asserted against (and test/center/validity measures), not read by code.
   */
  blockToRefuseMsMax: 1_000,
  /** Retry delay after a failed reload or lost subscription. */
  reloadRetryMs: 500,
} as const;

assert(VALIDITY_LIMITS.mediaMax < 2 ** 31, 'media table indexes must fit int32');
assert(VALIDITY_LIMITS.tableFillPercentMax > 0 && VALIDITY_LIMITS.tableFillPercentMax < 100, 'fill must leave empty slots');
assert(VALIDITY_LIMITS.tableGrowPercent > 100, 'growth must grow');
assert(
  VALIDITY_LIMITS.loadPagesMax * VALIDITY_LIMITS.loadPageRowsMax >= VALIDITY_LIMITS.mediaMax + VALIDITY_LIMITS.terminalsMax,
  'prefetch page budget must cover every row',
);
assert(VALIDITY_LIMITS.reloadRetryMs < VALIDITY_LIMITS.blockToRefuseMsMax, 'a retry must fit the block-to-refuse bound');
assert(VALIDITY_LIMITS.refreshIntervalMsMin <= VALIDITY_LIMITS.refreshIntervalMsMax, 'refresh bounds ordered');
