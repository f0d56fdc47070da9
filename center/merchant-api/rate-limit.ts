/**
 * Per-API-key rate limit (a token bucket per key id, in this process): `max`
 * requests at once, refilled at `max` per `windowMs`. Judged after the key is
 * authenticated, so one merchant's burst never spends another's budget, and
 * on the injected clock, so tests drive it. Several nodes each keep their own
 * buckets (a key's limit is per node).
 */
import type { Clock } from '../../core/clock.js';
import { MERCHANT_LIMITS } from './limits.js';

export interface RateLimitOptions {
  readonly max: number;
  readonly windowMs: number;
}

interface Bucket {
  tokens: number;
  atMs: number;
}

export class KeyRateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly clock: Clock,
    readonly opts: RateLimitOptions = { max: MERCHANT_LIMITS.rateRequestsMaxDefault, windowMs: MERCHANT_LIMITS.rateWindowMsDefault },
  ) {
    if (!(Number.isSafeInteger(opts.max) && opts.max >= 1 && Number.isSafeInteger(opts.windowMs) && opts.windowMs >= 1)) {
      throw new Error('rate limit max and windowMs must be positive integers');
    }
  }

  /** Takes one token for `keyId`: 0 when allowed, otherwise the ms until one is available (Retry-After). */
  take(keyId: string): number {
    const nowMs = this.clock.monoMs();
    const perMs = this.opts.max / this.opts.windowMs;
    const b = this.buckets.get(keyId) ?? { tokens: this.opts.max, atMs: nowMs };
    b.tokens = Math.min(this.opts.max, b.tokens + (nowMs - b.atMs) * perMs);
    b.atMs = nowMs;
    // Re-inserted so the map's order is least recently used first (the bound drops from the front).
    this.buckets.delete(keyId);
    this.buckets.set(keyId, b);
    if (this.buckets.size > MERCHANT_LIMITS.rateKeysMax) this.buckets.delete(this.buckets.keys().next().value!);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return Math.ceil((1 - b.tokens) / perMs);
  }
}
