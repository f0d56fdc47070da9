import { assert } from '../../core/assert.js';

/** The simulated web shop (sim/webshop): its checkout form, journal and HTTP surface. */
export const WEBSHOP_LIMITS = {
  /** Card fields one checkout accepts (the merchant API caps the cards of one redemption too). */
  cardsPerOrderMax: 5,
  /** Units of one good in one order. */
  quantityMax: 10,
  /** A PIN as the buyer may type it: 10-16 digits (spaces and hyphens are dropped first). */
  pinDigitsMin: 10,
  pinDigitsMax: 16,
  /** Largest form body (bytes). */
  formBytesMax: 8 * 1024,
  /** Orders one listing shows (newest first). */
  ordersListedMax: 200,
} as const;

assert(WEBSHOP_LIMITS.pinDigitsMin <= WEBSHOP_LIMITS.pinDigitsMax, 'PIN length bounds are ordered');
