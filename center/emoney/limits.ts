import { assert } from '../../core/assert.js';
import { RELAY_LIMITS } from '../relay/limits.js';

/** Named limits and timeouts of the e-money flows (seed 004). */
export const EMONEY_LIMITS = {
  /** A charge whose bank outcome is unknown (bank unreachable, center crashed mid-call) is reversed after this. */
  BANK_DOUBT_MS: 2 * 60_000,
  /** A bank-approved charge never bound to a card is reversed to the user's account after this. */
  ISSUE_TIMEOUT_MS: 15 * 60_000,
  /** An authorised charge whose card moved on without a receipt is deemed credited after this, unless a debit record at counter+1 shows otherwise. */
  IN_DOUBT_HORIZON_MS: 30 * 24 * 3_600_000,
  /**
   * A node about to call the bank for a charge or a batch claims it for this long (claim_until_ms):
   * other nodes' sweeps leave it alone meanwhile. A node that dies mid-call frees it by expiry.
   */
  BANK_CLAIM_MS: 60_000,
  /** Charges or batches one sweep handles. */
  SWEEP_BATCH_MAX: 100,
  /** The terminal waits this long for the callback (AWAIT_CALLBACK wait ms). */
  CALLBACK_WAIT_MS: 60_000,
  /** Dial attempts of one callback (the terminal may not be listening yet). */
  CALLBACK_DIAL_ATTEMPTS: 8,
  CALLBACK_RETRY_MS: 100,
  /** The terminal must answer SETTLEMENT_INSTRUCTION within this time. */
  INSTRUCTION_TIMEOUT_MS: 10_000,
  // Records in one settle request or upload: the protocol's MAX_RECORDS_PER_FRAME, enforced by the codec
  // (a longer list is PROTO_TLV_TOO_MANY before any flow sees it); no second e-money limit.
  /** Settlement callbacks running at once; one more SETTLE_REQUEST is refused with EMONEY_BUSY before a batch opens. */
  MAX_CALLBACKS_IN_FLIGHT: 16,
  /** `tessera center` with an `emoney` section runs sweep() this often (config `emoney.sweepIntervalMs`). */
  SWEEP_INTERVAL_MS_DEFAULT: 1_000,
  SWEEP_INTERVAL_MS_MIN: 50,
  SWEEP_INTERVAL_MS_MAX: 600_000,
  /** Member shops one center config registers at start. */
  MAX_CONFIG_SHOPS: 10_000,
} as const;

assert(EMONEY_LIMITS.BANK_DOUBT_MS < EMONEY_LIMITS.ISSUE_TIMEOUT_MS, 'an unknown bank outcome is resolved before an approved charge times out');
assert(RELAY_LIMITS.BANK_TIMEOUT_MS < EMONEY_LIMITS.BANK_CLAIM_MS, 'a bank call ends (answer or timeout) before its claim expires');
assert(EMONEY_LIMITS.BANK_CLAIM_MS < EMONEY_LIMITS.BANK_DOUBT_MS, 'a charge left claimed by a dead node is free again before its doubt window ends');
assert(EMONEY_LIMITS.CALLBACK_DIAL_ATTEMPTS * EMONEY_LIMITS.CALLBACK_RETRY_MS < EMONEY_LIMITS.CALLBACK_WAIT_MS, 'dialling ends before the terminal stops waiting');
assert(EMONEY_LIMITS.SWEEP_INTERVAL_MS_MIN <= EMONEY_LIMITS.SWEEP_INTERVAL_MS_DEFAULT && EMONEY_LIMITS.SWEEP_INTERVAL_MS_DEFAULT <= EMONEY_LIMITS.SWEEP_INTERVAL_MS_MAX, 'sweep interval default within its bounds');
