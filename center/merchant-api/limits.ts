/** Named maxima of the merchant API (TIGER_STYLE: every bound has a name). */
export const MERCHANT_LIMITS = {
  /** Idempotency records are kept at least this long (the large payment APIs promise 24 h). */
  IDEMPOTENCY_RETENTION_MS: 24 * 60 * 60 * 1000,
  /** Longest Idempotency-Key header (printable ASCII). */
  IDEMPOTENCY_KEY_MAX_CHARS: 255,
  /** Expired idempotency records deleted per purge pass (bounded work per timer tick). */
  IDEMPOTENCY_PURGE_BATCH: 1_000,
  /** How often the listener purges expired idempotency records. */
  IDEMPOTENCY_PURGE_INTERVAL_MS: 10 * 60 * 1000,
  /** Requests in flight per process holding an idempotency key (the in-progress set). */
  IDEMPOTENCY_INFLIGHT_MAX: 10_000,
  /** Active (unrevoked) API keys per merchant: enough to rotate, few enough to audit. */
  MERCHANT_ACTIVE_KEYS_MAX: 5,
  /** Default per-key rate: requests per window. */
  RATE_LIMIT_MAX: 100,
  /** Default per-key rate window. */
  RATE_LIMIT_WINDOW_MS: 1_000,
  /** API keys tracked by the rate limiter at once (oldest windows are dropped beyond). */
  RATE_LIMIT_KEYS_MAX: 100_000,
  /** Page size bounds of the listing routes. */
  PAGE_DEFAULT: 50,
  PAGE_MAX: 200,
  /** Settlements one reconciliation may name. */
  RECONCILE_SETTLEMENTS_MAX: 100,
  /** Request body bound of the merchant listener. */
  BODY_MAX_BYTES: 64 * 1024,
  /** Client: attempts per call (first + retries) and the back-off base. */
  CLIENT_ATTEMPTS_MAX: 4,
  CLIENT_BACKOFF_MS: 100,
  /** Client: longest Retry-After it honours before giving up. */
  CLIENT_RETRY_AFTER_MAX_MS: 10_000,
  CLIENT_TIMEOUT_MS: 10_000,
} as const;

if (MERCHANT_LIMITS.IDEMPOTENCY_RETENTION_MS < 24 * 60 * 60 * 1000) throw new Error('idempotency keys must be kept at least 24 h');
if (MERCHANT_LIMITS.PAGE_DEFAULT > MERCHANT_LIMITS.PAGE_MAX) throw new Error('PAGE_DEFAULT > PAGE_MAX');
