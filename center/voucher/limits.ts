import { assert } from '../../core/assert.js';

/** Named limits of the voucher flows (seed 002): one object, `<thing><Unit><Kind>` keys. */
export const VOUCHER_LIMITS = {
  /** The fixed face values a batch may have (JPY, seed 002 and the issue). */
  denominationsMinorAllowed: [500, 1000, 2000, 3000, 5000] as readonly number[],
  /** A variable-load card takes at least this much at the till. */
  loadMinorMin: 500,
  /** ... and a variable-load batch's maxLoad at most this. */
  loadMinorMax: 50_000,
  /** Cards one issueBatch creates (one unit of work, one validity bulk add). */
  batchCardsMax: 10_000,
  /** Days a card stays spendable after activation unless the batch says otherwise. */
  validDaysDefault: 3 * 365,
  validDaysMin: 1,
  validDaysMax: 10 * 365,
  /** A card's row on the validity lists (issued, not sold) expires this long after issue: unsold stock is void after it. */
  shelfMsMax: 11 * 365 * 86_400_000,
  /** A void is accepted this long after its activation (and the same store, the same business day). */
  voidWindowMs: 30 * 60_000,
  /** PINs one redemption may combine. */
  cardsPerRedemptionMax: 10,
  /** The largest amount one redemption takes. */
  redemptionMinorMax: 500_000,
  /** An authorisation (capture: false) releases its value by itself after this. */
  authHoldMs: 7 * 86_400_000,
  /** Failed PINs a key or an address may make within guessWindowMs before lockouts start. */
  guessFailuresFreeCount: 5,
  /** The first lockout; each further failure doubles it ... */
  lockoutBaseMs: 1_000,
  /** ... up to this. */
  lockoutMsMax: 3_600_000,
  /** Failures older than this (since the last one) are forgotten. */
  guessWindowMs: 86_400_000,
  /** Redemptions, cards or payouts one sweep pass handles. */
  sweepBatchMax: 200,
  /** `tessera center` runs the voucher sweep this often (config voucher.sweepIntervalMs). */
  sweepIntervalMsDefault: 1_000,
  sweepIntervalMsMin: 50,
  sweepIntervalMsMax: 600_000,
  /** Ids (request ids, HQ, store, terminal, order refs, redemption keys) are 1..idCharsMax printable ASCII chars. */
  idCharsMax: 64,
  /** HQs and shops one config registers. */
  configHqsMax: 1_000,
  configShopsMax: 10_000,
  /** Commission of an HQ, basis points. */
  commissionBpMax: 5_000,
  /** A payout call to the bank is claimed this long (longer than the relay's bank timeout). */
  payoutClaimMs: 60_000,
  /** Redemptions one lookup by order reference answers at most (newest first); its default page. */
  redemptionsByOrderMax: 50,
  redemptionsByOrderDefault: 10,
  /** Smallest payable a sweep pays out (below it the payable waits for more captures). */
  payoutMinorMin: 1,
} as const;

const L = VOUCHER_LIMITS;
assert(L.denominationsMinorAllowed.every((d) => d >= L.loadMinorMin && d <= L.loadMinorMax), 'fixed face values lie in the load range');
assert(L.validDaysMin <= L.validDaysDefault && L.validDaysDefault <= L.validDaysMax, 'default validity within its bounds');
assert(L.validDaysMax * 86_400_000 < L.shelfMsMax, 'a card sold on its last shelf day still expires before its validity row');
assert(L.cardsPerRedemptionMax * L.loadMinorMax >= L.redemptionMinorMax / 10, 'a redemption can combine cards worth a tenth of its cap');
assert(L.lockoutBaseMs <= L.lockoutMsMax && L.lockoutMsMax < L.guessWindowMs, 'lockouts grow to their cap within the window');
assert(L.sweepIntervalMsMin <= L.sweepIntervalMsDefault && L.sweepIntervalMsDefault <= L.sweepIntervalMsMax, 'sweep interval default within its bounds');
assert(L.voidWindowMs < 86_400_000, 'the void window is shorter than a business day');
