/**
 * Claims for external calls (a bank, a vendor, an SMSC): several center
 * nodes share one database, and each runs its sweeps. Before a node calls
 * out for a row (a charge's sale or reversal, a batch's payment, …) it claims
 * the row with a conditional UPDATE: the state must still be the one it acts
 * on and no unexpired claim may be held. The UPDATE takes the row lock
 * (PostgreSQL re-checks the WHERE on the winner's committed row; SQLite has
 * one writer), so of two nodes racing exactly one sees `changes === 1` and
 * makes the call; the other leaves the row alone. The claim ends with the
 * state transition that records the answer, or is released when the answer
 * is "try again later"; a node that dies mid-call frees it by expiry
 * (`holdMs`). Claims never touch updated_ms, so state timeouts are not reset.
 *
 * The table needs the columns `id` (the key), `state` and `claim_until_ms`
 * (BIGINT, NULL when unclaimed).
 */
import { assert } from '../../core/assert.js';
import type { SqlParam, Tx } from '../storage/types.js';

/** SQL condition (for sweeps' selects) of a row nobody is calling out for at `?` (now). */
export const UNCLAIMED = '(claim_until_ms IS NULL OR claim_until_ms <= ?)';

export interface CallClaims {
  readonly table: string;
  /** Claims row `id` if it is in one of `states` and unclaimed (or its claim expired). True if this caller won it. */
  claim(tx: Tx, id: string, states: readonly string[], nowMs: number): Promise<boolean>;
  /** Gives a claim back (the other side said "later"): the next sweep, on any node, may call again with the same id. */
  release(tx: Tx, id: string): Promise<void>;
}

/** Claims on the rows of `table`, each held for `holdMs` (longer than the call's own timeout). */
export function callClaims(table: string, holdMs: number): CallClaims {
  assert(/^[a-z_][a-z0-9_]*$/.test(table), `claim table ${table} is a plain SQL identifier`);
  assert(Number.isSafeInteger(holdMs) && holdMs > 0, 'a claim is held for a positive time');
  return {
    table,
    claim: async (tx, id, states, nowMs) => {
      assert(states.length > 0, 'a claim names the states it acts on');
      const params: SqlParam[] = [nowMs + holdMs, id, ...states, nowMs];
      const r = await tx.run(
        `UPDATE ${table} SET claim_until_ms = ? WHERE id = ? AND state IN (${states.map(() => '?').join(',')}) AND ${UNCLAIMED}`,
        params,
      );
      return r.changes === 1;
    },
    release: async (tx, id) => {
      await tx.run(`UPDATE ${table} SET claim_until_ms = NULL WHERE id = ?`, [id]);
    },
  };
}
