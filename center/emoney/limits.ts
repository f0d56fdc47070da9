import { assert } from '../../core/assert.js';
import { RelayLimits } from '../relay/limits.js';

/**
 * Named limits and timeouts of the e-money flows (seed 004), named
 * `<thing><Unit>Max` (TigerBeetle style) where the value bounds something,
 * `<thing><Unit>` where it is a set duration. Each is used where named.
 */
export const EmoneyLimits = {
  /** A charge whose bank outcome is unknown (bank unreachable, center crashed mid-call) is reversed after this (charge-sweep.ts). */
  bankDoubtMsMax: 2 * 60_000,
  /** A bank-approved charge never bound to a card is reversed to the user's account after this (charge-sweep.ts). */
  issueWaitMsMax: 15 * 60_000,
  /** An authorised charge whose card moved on without a receipt is deemed credited after this, unless a debit record at counter+1 shows otherwise. */
  inDoubtHorizonMsMax: 30 * 24 * 3_600_000,
  /**
   * A node about to call the bank for a charge or a batch claims it for this long (claim_until_ms, CHARGE_CALLS / BATCH_CALLS):
   * other nodes' sweeps leave it alone meanwhile. A node that dies mid-call frees it by expiry.
   */
  bankClaimMs: 60_000,
  /** Charges, or acknowledged batches, one sweep pass handles. */
  sweepRowsMax: 100,
  /** The terminal waits this long for the callback (AWAIT_CALLBACK wait ms). */
  callbackWaitMsMax: 60_000,
  /** Dial attempts of one callback (the terminal may not be listening yet); attempt n waits n × callbackDialRetryMs first. */
  callbackDialAttemptsMax: 8,
  callbackDialRetryMs: 100,
  /** The terminal must answer SETTLEMENT_INSTRUCTION within this time. */
  instructionAnswerMsMax: 10_000,
  // Records in one settle request or upload: the protocol's MAX_RECORDS_PER_FRAME, enforced by the codec
  // (a longer list is PROTO_TLV_TOO_MANY before any flow sees it); no second e-money limit.
  /** Settlement callbacks running at once; one more SETTLE_REQUEST is refused with EMONEY_BUSY before a batch opens. */
  callbacksInFlightMax: 16,
  /** `tessera center` with an `emoney` section runs sweep() this often (config `emoney.sweepIntervalMs`, bounded by min and max). */
  sweepIntervalMsDefault: 1_000,
  sweepIntervalMsMin: 50,
  sweepIntervalMsMax: 600_000,
  /** Member shops one center config registers at start (config `emoney.shops`). */
  configShopsMax: 10_000,
} as const;

assert(EmoneyLimits.bankDoubtMsMax < EmoneyLimits.issueWaitMsMax, 'an unknown bank outcome is resolved before an approved charge times out');
assert(RelayLimits.bankAnswerMsMax < EmoneyLimits.bankClaimMs, 'a bank call ends (answer or timeout) before its claim expires');
assert(EmoneyLimits.bankClaimMs < EmoneyLimits.bankDoubtMsMax, 'a charge left claimed by a dead node is free again before its doubt window ends');
assert(EmoneyLimits.callbackDialAttemptsMax * EmoneyLimits.callbackDialRetryMs < EmoneyLimits.callbackWaitMsMax, 'dialling ends before the terminal stops waiting');
assert(EmoneyLimits.sweepIntervalMsMin <= EmoneyLimits.sweepIntervalMsDefault && EmoneyLimits.sweepIntervalMsDefault <= EmoneyLimits.sweepIntervalMsMax, 'sweep interval default within its bounds');
