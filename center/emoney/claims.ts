/**
 * Bank-call claims: several center nodes share one database, and each runs
 * `sweep()`. Before a node calls the bank for a charge (sale, reversal) or a
 * batch (shop payment) it claims the row with a conditional UPDATE: the state
 * must still be the one it acts on and no unexpired claim may be held. The
 * UPDATE takes the row lock (PostgreSQL re-checks the WHERE on the winner's
 * committed row; SQLite has one writer), so of two nodes racing exactly one
 * sees `changes === 1` and calls the bank; the other leaves the row alone.
 * The claim ends with the state transition that records the bank's answer,
 * or is released when the answer is "try again later"; a node that dies
 * mid-call frees it by expiry (EMONEY_LIMITS.BANK_CLAIM_MS). Claims never
 * touch updated_ms, so the state machine's timeouts are not reset.
 */
import type { SqlParam, Tx } from '../storage/types.js';
import { EMONEY_LIMITS } from './limits.js';

export type ClaimTable = 'emoney_charges' | 'emoney_batches';

/** Claims the row for a bank call if it is in one of `states` and unclaimed (or its claim expired). True if this caller won it. */
export async function claimBankCall(tx: Tx, table: ClaimTable, id: string, states: readonly string[], nowMs: number): Promise<boolean> {
  const params: SqlParam[] = [nowMs + EMONEY_LIMITS.BANK_CLAIM_MS, id, ...states, nowMs];
  const r = await tx.run(
    `UPDATE ${table} SET claim_until_ms = ? WHERE id = ? AND state IN (${states.map(() => '?').join(',')})
       AND (claim_until_ms IS NULL OR claim_until_ms <= ?)`,
    params,
  );
  return r.changes === 1;
}

/** Gives a claim back (the bank said "later"): the next sweep, on any node, may call again with the same id. */
export async function releaseClaim(tx: Tx, table: ClaimTable, id: string): Promise<void> {
  await tx.run(`UPDATE ${table} SET claim_until_ms = NULL WHERE id = ?`, [id]);
}

/** SQL condition (for sweeps' selects) of a row nobody is calling the bank for at `?` (now). */
export const UNCLAIMED = '(claim_until_ms IS NULL OR claim_until_ms <= ?)';
