/** Reconnect delay: exponential from base to cap, with seeded jitter (injected Random). */
import type { Random } from '../../core/random.js';
import { PROTOCOL_LIMITS } from '../../protocol/limits.js';

export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
  /** Fraction of the delay added or removed at random (0..1). */
  jitter: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = {
  baseMs: PROTOCOL_LIMITS.reconnectDelayMsMin,
  maxMs: PROTOCOL_LIMITS.reconnectDelayMsMax,
  jitter: PROTOCOL_LIMITS.reconnectJitterFraction,
};

/** Delay before attempt `failures + 1`, given `failures` consecutive failures (0 → base). */
export function backoffDelayMs(failures: number, p: BackoffPolicy, random: Random): number {
  const exp = Math.min(p.maxMs, p.baseMs * 2 ** Math.min(failures, 30));
  const spread = exp * p.jitter * (2 * random.float() - 1);
  return Math.max(0, Math.round(Math.min(p.maxMs, exp + spread)));
}
