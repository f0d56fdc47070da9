import { assert } from '../../core/assert.js';

/** Named limits of the transaction relay. */
export const RELAY_LIMITS = {
  /** A bank host must answer a transfer or reversal within this time, else RELAY_BANK_UNREACHABLE. */
  bankTimeoutMs: 5_000,
  /** Banks one relay routes to. */
  banksMax: 64,
  /** Largest HTTP body of a bank-host request or answer. */
  bankBodyBytesMax: 16 * 1024,
  /** A payout the bank could not make now (short of funds, no answer) is retried after this, doubling per attempt ... */
  payoutRetryBaseMs: 1_000,
  /** ... up to this (one warn line per attempt, not one per sweep). */
  payoutRetryMsMax: 10 * 60_000,
} as const;

assert(RELAY_LIMITS.bankTimeoutMs > 0, 'a bank call needs time to answer');
assert(RELAY_LIMITS.banksMax >= 1, 'a relay routes to at least one bank');
assert(RELAY_LIMITS.bankBodyBytesMax >= 1_024, 'a bank answer (a few JSON fields) fits the body limit');
assert(RELAY_LIMITS.payoutRetryBaseMs > 0 && RELAY_LIMITS.payoutRetryBaseMs <= RELAY_LIMITS.payoutRetryMsMax, 'a payout retry delay grows from its base to its maximum');
