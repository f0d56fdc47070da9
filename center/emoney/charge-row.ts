import type { SqlExecutor, SqlParam, Tx } from '../storage/types.js';

/** The charge state machine (center/emoney/README.md). */
export type ChargeState = 'requested' | 'unknown' | 'approved' | 'declined' | 'authorized' | 'issued' | 'reversing' | 'reversed';

export type ChargeRow = {
  id: string;
  terminal_id: string;
  bank_code: string;
  branch: string;
  account: string;
  amount: number;
  currency: string;
  state: ChargeState;
  code: string;
  card_id: string | null;
  auth_counter: number | null;
  host_mac: Buffer | null;
  in_doubt_ms: number | null;
  /** Until then one node is calling the bank for this charge (claims.ts). */
  claim_until_ms: number | null;
  /** While reversing: 1 if the approval was booked in the ledger (the reversal books it back), 0 if it never was. */
  booked: number | null;
  created_ms: number;
  updated_ms: number;
};

export async function loadCharge(q: SqlExecutor, id: string, lock = ''): Promise<ChargeRow | undefined> {
  return q.get<ChargeRow>(`SELECT * FROM emoney_charges WHERE id = ?${lock}`, [id]);
}

/** Sets the named columns (and updated_ms) of one charge. */
export async function updateCharge(tx: Tx, id: string, nowMs: number, set: Partial<Omit<ChargeRow, 'id'>>): Promise<void> {
  const cols = Object.keys(set);
  const params: SqlParam[] = cols.map((c) => (set as Record<string, SqlParam>)[c] ?? null);
  await tx.run(`UPDATE emoney_charges SET ${[...cols.map((c) => `${c} = ?`), 'updated_ms = ?'].join(', ')} WHERE id = ?`, [...params, nowMs, id]);
}
