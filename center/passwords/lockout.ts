/**
 * Guessed codes are locked out per caller: an authenticated merchant's API
 * key (`key:<id>`), a terminal (`terminal:<id>`); an address scope
 * (`addr:<ip>`) only for unauthenticated traffic (the password routes have
 * none: a request without a valid key is refused before any lookup), so one
 * shop cannot lock out the other shops behind the same address. Each failed
 * lookup (unknown code, forged or malformed token, bad device signature, a
 * bare code for a device-bound password) counts against its caller's scopes;
 * honest mistakes do not count (a wrong amount or shop, a stale or replayed
 * QR of a real password, an over-amount, an expired password: refusals of a
 * password the caller did present correctly). PASSWORDS_LIMITS.guessFailuresMax
 * failures within guessWindowMs lock the scope out for lockoutMs; an operator
 * lifts a lockout early (admin route POST /passwords/lockouts/unlock,
 * audited; `unlock`). The count is written in its own unit (the failed
 * request's unit rolls back) and shared by every node on the database.
 * docs/PASSWORDS.md has the arithmetic.
 */
import type { Clock } from '../../core/clock.js';
import { errorCode, TesseraError } from '../../core/errors.js';
import type { Logger } from '../../core/log.js';
import type { Storage } from '../storage/types.js';
import { PASSWORDS_LIMITS as L } from './limits.js';
import { FAILURE_ROWS } from './records.js';

/** The codes that count as a failed guess. */
export const GUESS_CODES: ReadonlySet<string> = new Set([
  'PASSWORD_UNKNOWN', 'PASSWORD_DEVICE_REQUIRED',
  'PWTOKEN_MALFORMED', 'PWTOKEN_BAD_SIGNATURE', 'PWTOKEN_UNKNOWN_KEY', 'PWTOKEN_CODE_MISMATCH', 'PWTOKEN_BAD_DEVICE_SIGNATURE', 'PWTOKEN_NOT_DEVICE_BOUND',
]);

export class GuessLockout {
  constructor(private readonly storage: Storage, private readonly clock: Clock, private readonly log: Logger) {}

  /** Throws PASSWORD_LOCKED_OUT if any scope (`key:<id>`, `addr:<ip>`) is locked out now. */
  async check(scopes: readonly string[]): Promise<void> {
    const nowMs = this.clock.nowMs();
    const rows = await this.storage.read((q) => FAILURE_ROWS.all(q, `WHERE scope IN (${scopes.map(() => '?').join(',')})`, scopes));
    const until = Math.max(0, ...rows.map((r) => r.lockedUntilMs));
    if (until > nowMs) {
      const scope = rows.find((r) => r.lockedUntilMs === until)!.scope;
      throw new TesseraError('PASSWORD_LOCKED_OUT', `too many failed password lookups from ${scope}`, { scope, retryAfterSeconds: Math.ceil((until - nowMs) / 1000) });
    }
  }

  /** Counts a failure against each scope if `e` is a guess failure; locks a scope out at the maximum. */
  async failed(scopes: readonly string[], e: unknown): Promise<void> {
    if (!GUESS_CODES.has(errorCode(e))) return;
    const nowMs = this.clock.nowMs();
    const locked = await this.storage.transact(async (tx) => {
      const out: string[] = [];
      for (const scope of scopes) {
        const r = await FAILURE_ROWS.get(tx, `WHERE scope = ?${tx.forUpdate}`, [scope]);
        const fresh = !r || nowMs - r.windowStartMs >= L.guessWindowMs;
        const failures = fresh ? 1 : r.failures + 1;
        const lockedUntilMs = failures >= L.guessFailuresMax ? nowMs + L.lockoutMs : (r?.lockedUntilMs ?? 0);
        if (failures >= L.guessFailuresMax && (r?.lockedUntilMs ?? 0) <= nowMs) out.push(scope);
        const windowStartMs = fresh ? nowMs : r.windowStartMs;
        if (r) await tx.run('UPDATE password_guess_failures SET window_start_ms = ?, failures = ?, locked_until_ms = ? WHERE scope = ?', [windowStartMs, failures, lockedUntilMs, scope]);
        else await tx.run('INSERT INTO password_guess_failures (scope, window_start_ms, failures, locked_until_ms) VALUES (?,?,?,?) ON CONFLICT (scope) DO NOTHING', [scope, windowStartMs, failures, lockedUntilMs]);
      }
      return out;
    });
    for (const scope of locked) this.log.warn({ scope, failuresMax: L.guessFailuresMax, lockoutMs: L.lockoutMs }, 'password lookups locked out: PASSWORD_LOCKED_OUT');
  }

  /** Scopes counting failures or locked out now (the operator's view), most recently locked first. */
  async list(limit = 100): Promise<Array<{ scope: string; failures: number; windowStartMs: number; lockedUntilMs: number; locked: boolean }>> {
    const nowMs = this.clock.nowMs();
    const rows = await this.storage.read((q) => FAILURE_ROWS.all(q, 'WHERE locked_until_ms > ? OR window_start_ms > ? ORDER BY locked_until_ms DESC, scope LIMIT ?', [nowMs, nowMs - L.guessWindowMs, limit]));
    return rows.map((r) => ({ ...r, locked: r.lockedUntilMs > nowMs }));
  }

  /** Lifts a scope's lockout and clears its count (an operator's act: the admin route audits it). Answers whether it was locked. */
  async unlock(scope: string): Promise<{ scope: string; wasLocked: boolean }> {
    const nowMs = this.clock.nowMs();
    const wasLocked = await this.storage.transact(async (tx) => {
      const r = await FAILURE_ROWS.get(tx, `WHERE scope = ?${tx.forUpdate}`, [scope]);
      if (!r) return false;
      await tx.run('DELETE FROM password_guess_failures WHERE scope = ?', [scope]);
      return r.lockedUntilMs > nowMs;
    });
    this.log.info({ scope, wasLocked }, 'password lookups unlocked by an operator');
    return { scope, wasLocked };
  }
}
