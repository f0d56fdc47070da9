import { assert } from '../../core/assert.js';

/** Named limits of the simulated bank hosts. */
export const BANK_LIMITS = {
  /** scrypt parameters of PIN hashes (N, r, p); low enough for tests, a real bank host uses an HSM instead. */
  pinScryptCostFactor: 4_096,
  pinScryptBlockSizeFactor: 8,
  pinScryptParallelFactor: 1,
  /** Length of a PIN hash and of its salt. */
  pinHashBytes: 32,
  pinSaltBytes: 16,
  /** Customer accounts one simulated bank opens. */
  accountsMax: 100_000,
  /** Largest HTTP body the bank's HTTP endpoint accepts. */
  bodyBytesMax: 16 * 1024,
  /** A request body must arrive within this time. */
  bodyTimeoutMs: 5_000,
} as const;

assert(BANK_LIMITS.pinScryptCostFactor >= 1_024 && (BANK_LIMITS.pinScryptCostFactor & (BANK_LIMITS.pinScryptCostFactor - 1)) === 0, 'scrypt N is a power of two');
assert(128 * BANK_LIMITS.pinScryptCostFactor * BANK_LIMITS.pinScryptBlockSizeFactor <= 32 * 1024 * 1024, "scrypt memory fits node's default maxmem");
assert(BANK_LIMITS.pinSaltBytes >= 16 && BANK_LIMITS.pinHashBytes >= 32, 'PIN hashes are salted and long enough not to collide');
