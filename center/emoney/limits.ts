import { assert } from '../../core/assert.js';
import { PROTOCOL_LIMITS } from '../../protocol/limits.js';
import { RELAY_LIMITS } from '../relay/limits.js';

/** Named limits and timeouts of the e-money flows (seed 004). */
export const EMONEY_LIMITS = {
  /** A charge whose bank outcome is unknown (bank unreachable, center crashed mid-call) is reversed after this. */
  bankDoubtMs: 2 * 60_000,
  /** A bank-approved charge never bound to a card is reversed to the user's account after this. */
  issueTimeoutMs: 15 * 60_000,
  /** An authorised charge whose card moved on without a receipt is deemed credited after this, unless a debit record at counter+1 shows otherwise. */
  inDoubtHorizonMs: 30 * 24 * 3_600_000,
  /**
   * A node about to call the bank for a charge or a batch claims it for this long (claim_until_ms):
   * other nodes' sweeps leave it alone meanwhile. A node that dies mid-call frees it by expiry.
   */
  bankClaimMs: 60_000,
  /** Charges or batches one sweep handles. */
  sweepBatchMax: 100,
  /** The terminal waits this long for the callback (AWAIT_CALLBACK wait ms). */
  callbackWaitMs: 60_000,
  /** Dial attempts of one callback (the terminal may not be listening yet). */
  callbackDialAttemptsMax: 8,
  /** Delay between two dial attempts of one callback. */
  callbackRetryMs: 100,
  /** The terminal must answer SETTLEMENT_INSTRUCTION within this time. */
  instructionTimeoutMs: 10_000,
  // Records in one settle request or upload: the protocol's recordsPerFrameMax, enforced by the codec
  // (a longer list is PROTO_TLV_TOO_MANY before any flow sees it); no second e-money limit.
  /** Settlement callbacks running at once; one more SETTLE_REQUEST is refused with EMONEY_BUSY before a batch opens. */
  callbacksInFlightMax: 16,
  /** `tessera center` with an `emoney` section runs sweep() this often (config `emoney.sweepIntervalMs`). */
  sweepIntervalMsDefault: 1_000,
  sweepIntervalMsMin: 50,
  sweepIntervalMsMax: 600_000,
  /** Member shops one center config registers at start. */
  configShopsMax: 10_000,
} as const;

assert(EMONEY_LIMITS.bankDoubtMs < EMONEY_LIMITS.issueTimeoutMs, 'an unknown bank outcome is resolved before an approved charge times out');
assert(RELAY_LIMITS.bankTimeoutMs < EMONEY_LIMITS.bankClaimMs, 'a bank call ends (answer or timeout) before its claim expires');
assert(EMONEY_LIMITS.bankClaimMs < EMONEY_LIMITS.bankDoubtMs, 'a charge left claimed by a dead node is free again before its doubt window ends');
assert(EMONEY_LIMITS.callbackDialAttemptsMax * EMONEY_LIMITS.callbackRetryMs < EMONEY_LIMITS.callbackWaitMs, 'dialling ends before the terminal stops waiting');
assert(EMONEY_LIMITS.sweepIntervalMsMin <= EMONEY_LIMITS.sweepIntervalMsDefault && EMONEY_LIMITS.sweepIntervalMsDefault <= EMONEY_LIMITS.sweepIntervalMsMax, 'sweep interval default within its bounds');
assert(EMONEY_LIMITS.callbackWaitMs <= PROTOCOL_LIMITS.callbackWaitMsMax, 'a terminal waits the whole callback wait the center asks for (it caps the wait at callbackWaitMsMax)');
