import { assert } from '../../core/assert.js';

/** Named limits of the transaction relay, `<thing><Unit>Max`. */
export const RelayLimits = {
  /** A bank host must answer a transfer or reversal within this time, else RELAY_BANK_UNREACHABLE. */
  bankAnswerMsMax: 5_000,
  /** Banks one relay routes to (and one e-money config names). */
  banksMax: 64,
  /** Largest HTTP body of a bank-host answer; a longer one is a failed call. */
  bankBodyBytesMax: 16 * 1024,
} as const;

assert(RelayLimits.bankAnswerMsMax > 0, 'relay limits');
