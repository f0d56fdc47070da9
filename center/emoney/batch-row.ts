import type { PurchaseRecord, RecordResult } from '../../protocol/messages/types.js';
import type { SqlExecutor, SqlParam, Tx } from '../storage/types.js';

/**
 * Settlement batch states (README.md):
 * awaiting_callback → instructed → acked → settled, or pay_failed; abandoned.
 */
export type BatchState = 'awaiting_callback' | 'instructed' | 'acked' | 'settled' | 'pay_failed' | 'abandoned';

export type BatchRow = {
  id: string;
  terminal_id: string;
  shop_id: string;
  bank_code: string;
  state: BatchState;
  records: string;
  results: string | null;
  total: number;
  currency: string;
  code: string;
  /** Until then one node is paying this batch at the bank (claims.ts). */
  claim_until_ms: number | null;
  created_ms: number;
  updated_ms: number;
};

export async function loadBatch(q: SqlExecutor, id: string, lock = ''): Promise<BatchRow | undefined> {
  return q.get<BatchRow>(`SELECT * FROM emoney_batches WHERE id = ?${lock}`, [id]);
}

export async function updateBatch(tx: Tx, id: string, nowMs: number, set: Partial<Omit<BatchRow, 'id'>>): Promise<void> {
  const cols = Object.keys(set);
  const params: SqlParam[] = cols.map((c) => (set as Record<string, SqlParam>)[c] ?? null);
  await tx.run(`UPDATE emoney_batches SET ${[...cols.map((c) => `${c} = ?`), 'updated_ms = ?'].join(', ')} WHERE id = ?`, [...params, nowMs, id]);
}

type RecordJson = { m: string; c: number; a: number; cur: string; t: string; n: string; mac: string };

export function encodeRecords(records: readonly PurchaseRecord[]): string {
  return JSON.stringify(records.map((r): RecordJson => ({
    m: r.mediumId.toString('hex'), c: r.cardCounter, a: r.amountMinor, cur: r.currency, t: r.terminalId, n: r.terminalNonce.toString('hex'), mac: r.cardMac.toString('hex'),
  })));
}

export function decodeRecords(text: string): PurchaseRecord[] {
  return (JSON.parse(text) as RecordJson[]).map((j) => ({
    mediumId: Buffer.from(j.m, 'hex'), cardCounter: j.c, amountMinor: j.a, currency: j.cur, terminalId: j.t, terminalNonce: Buffer.from(j.n, 'hex'), cardMac: Buffer.from(j.mac, 'hex'),
  }));
}

export function encodeResults(results: readonly RecordResult[]): string {
  return JSON.stringify(results.map((r) => [r.mediumId.toString('hex'), r.cardCounter, r.status]));
}

export function decodeResults(text: string): RecordResult[] {
  return (JSON.parse(text) as [string, number, RecordResult['status']][]).map(([m, c, s]) => ({ mediumId: Buffer.from(m, 'hex'), cardCounter: c, status: s }));
}
