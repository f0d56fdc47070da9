/**
 * PIN-guessing counters: every refused PIN (VOUCHER_PIN_REFUSED) counts
 * against the caller's API key (`key:<keyId>`) and its address
 * (`addr:<address>`), in the database (a restart or another node sees the
 * same counts). After VOUCHER_LIMITS.guessFailuresFree failures a subject is
 * locked out for lockoutMsBase, doubled at each further failure up to
 * lockoutMsMax; failures are forgotten guessWindowMs after the last one. A
 * locked subject's PIN checks are refused with VOUCHER_LOCKED_OUT before any
 * PIN is hashed or looked up. A success does not reset a counter (a thief
 * holding one good card could otherwise reset his own).
 */
import { TesseraError } from '../../core/errors.js';
import type { RedeemSource } from './api.js';
import { VOUCHER_LIMITS as L } from './limits.js';
import { GUESSES } from './rows.js';
import type { SqlExecutor, Tx } from '../storage/types.js';

export function guessSubjects(source: RedeemSource): string[] {
  return [`key:${source.keyId}`.slice(0, 200), `addr:${source.address}`.slice(0, 200)];
}

/** The lockout after `failures` failures (0 while still free). */
export function lockoutMs(failures: number): number {
  if (failures < L.guessFailuresFree) return 0;
  const doublings = Math.min(failures - L.guessFailuresFree, 40);
  return Math.min(L.lockoutMsBase * 2 ** doublings, L.lockoutMsMax);
}

/** VOUCHER_LOCKED_OUT when a subject of the source is locked at `nowMs`. */
export async function checkNotLocked(q: SqlExecutor, source: RedeemSource, nowMs: number): Promise<void> {
  const subjects = guessSubjects(source);
  const rows = await GUESSES.all(q, `WHERE subject IN (?, ?)`, subjects);
  const until = Math.max(0, ...rows.map((r) => r.lockedUntilMs));
  if (until > nowMs) {
    const retryAfterMs = until - nowMs;
    throw new TesseraError('VOUCHER_LOCKED_OUT', 'too many failed PINs from this API key or address', { retryAfterMs, retryAfterSeconds: Math.max(1, Math.ceil(retryAfterMs / 1000)) });
  }
}

/** Counts one failure for each subject; resolves to the longest lockout it started (0: none). */
export async function recordFailure(tx: Tx, source: RedeemSource, nowMs: number): Promise<number> {
  let longest = 0;
  for (const subject of guessSubjects(source).sort()) {
    const had = await GUESSES.get(tx, `WHERE subject = ?${tx.forUpdate}`, [subject]);
    const stale = had === undefined || nowMs - had.lastFailureMs > L.guessWindowMs;
    const failures = (stale ? 0 : had.failures) + 1;
    const lock = lockoutMs(failures);
    const lockedUntil = lock > 0 ? nowMs + lock : 0;
    longest = Math.max(longest, lock);
    if (had === undefined) {
      await tx.run('INSERT INTO voucher_guesses (subject, failures, last_failure_ms, locked_until_ms) VALUES (?,?,?,?)', [subject, failures, nowMs, lockedUntil]);
    } else {
      await tx.run('UPDATE voucher_guesses SET failures = ?, last_failure_ms = ?, locked_until_ms = ? WHERE subject = ?', [failures, nowMs, Math.max(lockedUntil, stale ? 0 : had.lockedUntilMs), subject]);
    }
  }
  return longest;
}
