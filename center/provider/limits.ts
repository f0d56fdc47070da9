import { assert } from '../../core/assert.js';

/** Named limits of the provider center (seed 000, `tessera provider serve`). */
export const PROVIDER_LIMITS = {
  /** One relayed request waits this long for the prepaid center's answer (then 503 PROVIDER_CENTER_UNREACHABLE; the PC retries). */
  relayTimeoutMs: 5_000,
  /** Opening a session with the prepaid center (connect and handshake) gives up after this. */
  sessionOpenTimeoutMs: 3_000,
  /** HTTP request bodies: a request is a few hundred bytes of JSON. */
  bodyBytesMax: 8 * 1024,
  /** Requests the HTTPS front serves at once. */
  inflightMax: 64,
  /** Requests per client address per minute. */
  rateRequestsMax: 600,
  rateWindowMs: 60_000,
} as const;

assert(PROVIDER_LIMITS.sessionOpenTimeoutMs <= PROVIDER_LIMITS.relayTimeoutMs, 'a session opens within one relay');
