import { assert } from '../../core/assert.js';

/** Named limits of the simulated bank hosts. */
export const BANK_LIMITS = {
  /** scrypt cost of PIN hashes (N); low enough for tests, a real bank host uses an HSM instead. */
  PIN_SCRYPT_N: 4_096,
  PIN_SCRYPT_R: 8,
  PIN_SCRYPT_P: 1,
  PIN_HASH_BYTES: 32,
  PIN_SALT_BYTES: 16,
  /** Customer accounts one simulated bank opens. */
  MAX_ACCOUNTS: 100_000,
  /** Largest HTTP body the bank's HTTP endpoint accepts. */
  MAX_BODY_BYTES: 16 * 1024,
  /** A request body must arrive within this time. */
  BODY_TIMEOUT_MS: 5_000,
} as const;

assert(BANK_LIMITS.PIN_SCRYPT_N >= 1_024 && (BANK_LIMITS.PIN_SCRYPT_N & (BANK_LIMITS.PIN_SCRYPT_N - 1)) === 0, 'scrypt N is a power of two');
