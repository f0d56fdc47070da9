import { assert } from '../../core/assert.js';

/** Defaults of the shared HTTP surface; each app may lower (or raise) them in its options. */
export const HTTP_LIMITS = {
  /** Request body bytes; above: 413 with the app's body-too-large code. */
  bodyBytesMax: 1_048_576,
  /** Requests being served at once by one app; above: 503 HTTP_OVERLOADED. */
  inflightMax: 1_024,
  /** A request must arrive whole within this (Node answers 408). */
  requestTimeoutMs: 10_000,
  /** Requests per client (address, or principal where the app keys it so) per window; above: 429 with Retry-After. */
  rateRequestsMax: 6_000,
  rateWindowMs: 60_000,
  /** Event-loop delay above which requests get 503 HTTP_OVERLOADED (@fastify/under-pressure). */
  eventLoopDelayMsMax: 3_000,
  /** Validation issues listed in one error's details. */
  issuesMax: 10,
  /** Characters of a field path or issue message in an error's details. */
  issueCharsMax: 200,
  /** Validated query strings remembered per route (query-validator.ts); the memory is dropped whole when full. */
  queryCacheEntriesMax: 256,
} as const;

assert(HTTP_LIMITS.rateWindowMs >= 1_000, 'rate windows are at least a second (Retry-After is in seconds)');
assert(HTTP_LIMITS.issuesMax >= 1, 'a validation error names at least one field');
