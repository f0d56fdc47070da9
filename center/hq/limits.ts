import { assert } from '../../core/assert.js';

/** Named limits and timeouts of the store headquarters (seed 002). */
export const HQ_LIMITS = {
  /**
   * The HQ waits this long for the settlement center's answer to an
   * activation before it answers the till HQ_CENTER_UNREACHABLE and reverses
   * the activation itself; shorter than the till's wait (voucherPosAnswerMsDefault), so the HQ decides first.
   */
  forwardDeadlineMsDefault: 4_000,
  /** One HTTPS call to the settlement center gives up after this (the outbox repeats it). */
  linkCallTimeoutMs: 3_000,
  /** The outbox sweep runs this often: unanswered forwards are repeated. */
  sweepIntervalMs: 1_000,
  /** Rows one sweep forwards. */
  sweepBatchMax: 50,
  /** Delay before an unanswered forward is repeated (doubling per attempt up to the max). */
  retryMsMin: 200,
  retryMsMax: 30_000,
  /** Signed requests older or newer than this (by the receiver's clock) are refused; a nonce is remembered as long. */
  signatureWindowMs: 120_000,
  /** Nonces the receiver remembers at once (a flood beyond it is refused as replayed until the window moves on). */
  signatureNoncesMax: 100_000,
  /** Lines of one daily file (and of the differences reported in HQ_FILE_MISMATCH). */
  dailyFileLinesMax: 200_000,
  mismatchLinesReportedMax: 50,
} as const;

assert(HQ_LIMITS.linkCallTimeoutMs < HQ_LIMITS.forwardDeadlineMsDefault, 'one link call ends before the till is answered');
assert(HQ_LIMITS.retryMsMin <= HQ_LIMITS.retryMsMax, 'retry delays ordered');
assert(HQ_LIMITS.mismatchLinesReportedMax <= HQ_LIMITS.dailyFileLinesMax, 'reported differences fit a file');
