/**
 * Bounds of the TTP's password delivery (relations asserted at load).
 */
import { assert } from '../../../core/assert.js';

export const PWDELIVERY_LIMITS = {
  /** Sends per delivery (first try and retries) before it is failed. */
  attemptsMaxDefault: 5,
  /** Backoff before retry n (n = 1, 2, …): base × 2^(n-1), capped at the max, plus up to 20 % jitter. */
  backoffMsBaseDefault: 1_000,
  backoffMsMax: 300_000,
  /** How often the queue is swept (due sends, deadlines). */
  sweepIntervalMsDefault: 500,
  /** Deliveries one sweep sends (the rest wait for the next sweep). */
  sweepBatchMax: 50,
  /** How long a node holds a claim on a delivery while it sends (longer than any send's own timeout). */
  claimHoldMs: 60_000,
  /** Wait for a submit_sm_resp / bind_transceiver_resp. */
  smppResponseTimeoutMs: 10_000,
  /** enquire_link interval of the SMPP session. */
  smppEnquireLinkMs: 15_000,
  /** Longest wait between SMPP reconnect attempts (backoff from 100 ms). */
  smppReconnectMsMax: 10_000,
  /** SMTP connection and command timeouts. */
  smtpTimeoutMs: 15_000,
  /** Largest message text (bytes, UTF-8): an SMS over message_payload, a short e-mail. */
  textBytesMax: 2_000,
  /** Deadline of a delivery handed over through the passwords module's port (config `deadlineMs`). */
  deadlineMsDefault: 5 * 60_000,
  /** Longest deadline a request may set, from now. */
  deadlineMsMax: 7 * 24 * 3_600_000,
} as const;

assert(PWDELIVERY_LIMITS.claimHoldMs > PWDELIVERY_LIMITS.smppResponseTimeoutMs, 'a claim outlives an SMPP response wait');
assert(PWDELIVERY_LIMITS.claimHoldMs > PWDELIVERY_LIMITS.smtpTimeoutMs * 3, 'a claim outlives an SMTP exchange (connect, commands, data)');
assert(PWDELIVERY_LIMITS.backoffMsBaseDefault <= PWDELIVERY_LIMITS.backoffMsMax, 'backoff base within its max');
