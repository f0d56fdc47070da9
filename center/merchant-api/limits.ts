import { assert } from '../../core/assert.js';

/** Named maxima of the merchant API (TIGER_STYLE: every bound has a name); names follow docs/TEAM-BRIEF.md "Limits". */
export const MERCHANT_LIMITS = {
  /** Idempotency records are kept at least this long (the large payment APIs promise 24 h). */
  idempotencyRetentionMs: 24 * 60 * 60 * 1000,
  /** Longest Idempotency-Key header (printable ASCII). */
  idempotencyKeyCharsMax: 255,
  /** Expired idempotency records deleted per purge pass (bounded work per timer tick). */
  idempotencyPurgeBatchMax: 1_000,
  /** How often the listener purges expired idempotency records. */
  idempotencyPurgeIntervalMs: 10 * 60 * 1000,
  /** Requests in flight per process holding an idempotency key (the in-progress set). */
  idempotencyInFlightMax: 10_000,
  /** Active (unrevoked) API keys per merchant: enough to rotate, few enough to audit. */
  activeKeysPerMerchantMax: 5,
  /** Default per-key rate: requests per window. */
  rateRequestsMaxDefault: 100,
  /** Default per-key rate window. */
  rateWindowMsDefault: 1_000,
  /** API keys tracked by the rate limiter at once (oldest windows are dropped beyond). */
  rateKeysMax: 100_000,
  /** Page size bounds of the listing routes. */
  pageRowsDefault: 50,
  pageRowsMax: 200,
  /** Settlements one reconciliation may name. */
  reconcileSettlementsMax: 100,
  /** Request body bound of the merchant listener. */
  bodyBytesMax: 64 * 1024,
  /** Client: attempts per call (first + retries) and the back-off base. */
  clientAttemptsMax: 4,
  clientBackoffMs: 100,
  /** Client: longest Retry-After it honours before giving up. */
  clientRetryAfterMsMax: 10_000,
  clientTimeoutMs: 10_000,
  /**
   * A verified API key (its stored hash and merchant) is remembered this long
   * per process, so a request does not read the key table. A revocation in the
   * same process (MerchantRegistry.revokeKey) drops it at once; one made
   * elsewhere (the `tessera merchant key revoke` CLI, another center node)
   * takes effect here within this bound.
   */
  apiKeyCacheTtlMs: 1_000,
  /** Verified API keys remembered at once (least recently verified dropped beyond). */
  apiKeyCacheEntriesMax: 10_000,
  /**
   * Listing answers (a page of settlements or payouts with its control totals)
   * remembered per process, each checked against its shop's change counter on
   * every request (listing-cache.ts); least recently used dropped beyond. At
   * most pageRowsMax rows each.
   */
  listingCacheEntriesMax: 256,
} as const;

assert(MERCHANT_LIMITS.idempotencyRetentionMs >= 24 * 60 * 60 * 1000, 'idempotency keys must be kept at least 24 h');
assert(MERCHANT_LIMITS.pageRowsDefault <= MERCHANT_LIMITS.pageRowsMax, 'default page within its bound');
