import { assert } from '../../core/assert.js';

/** Named limits of the transaction relay. */
export const RELAY_LIMITS = {
  /** A bank host must answer a transfer or reversal within this time, else RELAY_BANK_UNREACHABLE. */
  BANK_TIMEOUT_MS: 5_000,
  /** Banks one relay routes to. */
  MAX_BANKS: 64,
  /** Largest HTTP body of a bank-host request or answer. */
  MAX_BANK_BODY_BYTES: 16 * 1024,
} as const;

assert(RELAY_LIMITS.BANK_TIMEOUT_MS > 0, 'relay limits');
