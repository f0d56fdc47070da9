/**
 * Idempotent POSTs, with the semantics merchants know from the large payment
 * APIs, as a reusable piece: every POST route of the merchant API (and the
 * voucher and settlement-password redemptions to come) runs its effect
 * through {@link IdempotencyStore.run}.
 *
 *  - same key, same request (method, path, canonical JSON body) → the stored
 *    answer, replayed (status and body), the effect not run again;
 *  - same key, another request → MERCHANT_IDEMPOTENCY_MISMATCH (422), nothing done;
 *  - same key while the first request is still running → MERCHANT_IDEMPOTENCY_IN_PROGRESS
 *    (409), nothing done; the client retries later and gets the stored answer;
 *  - the record is written in the same unit of work (`storage.transact`) as
 *    the effect: both commit or neither does, so a crash never leaves an
 *    effect without its record or a record without its effect;
 *  - records are kept MERCHANT_LIMITS.idempotencyRetentionMs (24 h) and then purged; a key
 *    used again after that is a new request.
 *
 * An effect that throws (a coded refusal, a storage error) stores nothing:
 * its unit rolls back and a retry with the same key runs it again. An
 * answer the effect *returns* (any status) is stored and replayed.
 *
 * Several nodes on one PostgreSQL: "in progress" is known per process; two
 * nodes running the same key at once both try to insert the record, the
 * primary key makes the second wait for the first's commit and fail with a
 * unique violation, its unit is re-run by the group committer (23505 is
 * retryable) and then finds the record: it replays it (or answers 422).
 * Either way the effect happens once.
 */
import { createHash } from 'node:crypto';
import type { Clock } from '../../core/clock.js';
import { TesseraError } from '../../core/errors.js';
import { toSafeInt } from '../storage/ints.js';
import type { SqlExecutor, Storage, Tx } from '../storage/types.js';
import { MERCHANT_LIMITS } from './limits.js';

/** What a POST answered: stored with the key and replayed as it is. */
export interface StoredAnswer {
  readonly status: number;
  readonly body: unknown;
}

export interface IdempotentCall {
  /** Whose keys these are (the merchant id): keys of two merchants never meet. */
  readonly scope: string;
  /** The Idempotency-Key header as sent. */
  readonly key: string;
  /** {@link requestFingerprint} of the request. */
  readonly fingerprint: string;
}

export interface IdempotencyOptions {
  readonly retentionMs?: number;
}

type RecordRow = { fingerprint: string; status: unknown; body: string; expires_ms: unknown };

const KEY_RE = /^[\x21-\x7e][\x20-\x7e]*$/;

/** Checks an Idempotency-Key header (MERCHANT_IDEMPOTENCY_KEY_MISSING / _INVALID); the key is never echoed. */
export function checkIdempotencyKey(header: string | string[] | undefined): string {
  if (header === undefined) throw new TesseraError('MERCHANT_IDEMPOTENCY_KEY_MISSING', 'a POST needs an Idempotency-Key header');
  const key = Array.isArray(header) ? header : [header];
  if (key.length !== 1 || key[0]!.length > MERCHANT_LIMITS.idempotencyKeyCharsMax || !KEY_RE.test(key[0]!)) {
    throw new TesseraError('MERCHANT_IDEMPOTENCY_KEY_INVALID', `Idempotency-Key must be one header of 1-${MERCHANT_LIMITS.idempotencyKeyCharsMax} printable ASCII characters`, {
      maxChars: MERCHANT_LIMITS.idempotencyKeyCharsMax,
    });
  }
  return key[0]!;
}

/** JSON with object keys sorted, so `{"a":1,"b":2}` and `{"b":2,"a":1}` are the same request. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o).filter((k) => o[k] !== undefined).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

/** SHA-256 over method, path (no query) and the canonical body: what "the same request" means. */
export function requestFingerprint(method: string, path: string, body: unknown): string {
  return createHash('sha256').update(`${method.toUpperCase()}\n${path.split('?')[0]}\n${canonicalJson(body ?? null)}`).digest('hex');
}

export class IdempotencyStore {
  private readonly inFlight = new Set<string>();
  private readonly retentionMs: number;

  constructor(
    private readonly storage: Storage,
    private readonly clock: Clock,
    opts: IdempotencyOptions = {},
  ) {
    this.retentionMs = opts.retentionMs ?? MERCHANT_LIMITS.idempotencyRetentionMs;
  }

  /**
   * Runs `effect` once per (scope, key): its answer is stored with the key in
   * the effect's own unit of work; later calls with the same key get it back
   * (`replayed: true`) without running the effect.
   */
  async run(call: IdempotentCall, effect: (tx: Tx) => Promise<StoredAnswer>): Promise<StoredAnswer & { replayed: boolean }> {
    // A stored answer is replayed without taking a write slot in the group commit.
    const seen = await this.storage.read((q) => this.lookup(q, call));
    if (seen) return seen;
    const slot = `${call.scope}\n${call.key}`;
    if (this.inFlight.has(slot)) throw new TesseraError('MERCHANT_IDEMPOTENCY_IN_PROGRESS', 'a request with this Idempotency-Key is still being processed');
    if (this.inFlight.size >= MERCHANT_LIMITS.idempotencyInFlightMax) {
      throw new TesseraError('STORE_OVERLOADED', 'too many idempotent requests in flight', { max: MERCHANT_LIMITS.idempotencyInFlightMax });
    }
    this.inFlight.add(slot);
    try {
      return await this.storage.transact(async (tx) => {
        // Re-checked under the lock: the record may have been written since the read above (another node).
        const stored = await this.lookup(tx, call, tx.forUpdate);
        if (stored) return stored;
        const nowMs = this.clock.nowMs();
        // Only an expired record goes: on PostgreSQL this statement sees rows committed since the SELECT
        // (READ COMMITTED), and another node's fresh record must stay (our INSERT then fails and re-runs).
        await tx.run('DELETE FROM merchant_idempotency WHERE scope = ? AND idem_key = ? AND expires_ms <= ?', [call.scope, call.key, nowMs]);
        const answer = await effect(tx);
        await tx.run(
          'INSERT INTO merchant_idempotency (scope, idem_key, fingerprint, status, body, created_ms, expires_ms) VALUES (?,?,?,?,?,?,?)',
          [call.scope, call.key, call.fingerprint, answer.status, JSON.stringify(answer.body ?? null), nowMs, nowMs + this.retentionMs],
        );
        return { ...answer, replayed: false };
      });
    } finally {
      this.inFlight.delete(slot);
    }
  }

  /** The live record for the key: its answer if the request matches, MISMATCH if not; undefined if none (or expired). */
  private async lookup(q: SqlExecutor, call: IdempotentCall, lock = ''): Promise<(StoredAnswer & { replayed: true }) | undefined> {
    const r = await q.get<RecordRow>(`SELECT fingerprint, status, body, expires_ms FROM merchant_idempotency WHERE scope = ? AND idem_key = ?${lock}`, [
      call.scope,
      call.key,
    ]);
    if (!r || toSafeInt(r.expires_ms, 'merchant_idempotency.expires_ms') <= this.clock.nowMs()) return undefined;
    if (r.fingerprint !== call.fingerprint) {
      throw new TesseraError('MERCHANT_IDEMPOTENCY_MISMATCH', 'this Idempotency-Key was used with another request; nothing was done');
    }
    return { status: toSafeInt(r.status, 'merchant_idempotency.status'), body: JSON.parse(r.body) as unknown, replayed: true };
  }

  /** Deletes records past their retention, at most `limit` (bounded work per call). Resolves to how many. */
  async purgeExpired(limit: number = MERCHANT_LIMITS.idempotencyPurgeBatchMax): Promise<number> {
    const nowMs = this.clock.nowMs();
    const r = await this.storage.transact((tx) =>
      tx.run(
        `DELETE FROM merchant_idempotency WHERE (scope, idem_key) IN
           (SELECT scope, idem_key FROM merchant_idempotency WHERE expires_ms <= ? ORDER BY expires_ms LIMIT ?)`,
        [nowMs, limit],
      ),
    );
    return r.changes;
  }
}
