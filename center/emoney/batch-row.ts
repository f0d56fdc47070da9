import type { PurchaseRecord, RecordResult } from '../../protocol/messages/types.js';
import { callClaims } from '../kit/claims.js';
import { int, nullable, oneOf, rowMapper, text, type MappedRow } from '../kit/rows.js';
import { stateMachine, updateState } from '../kit/transitions.js';
import type { SqlExecutor, Tx } from '../storage/types.js';
import { EMONEY_LIMITS } from './limits.js';

/** The settlement batch state machine (center/emoney/README.md, "Settlement batch state machine": the same table). */
export const BATCH_STATES = stateMachine('settlement batch', {
  initial: ['awaiting_callback'],
  next: {
    awaiting_callback: ['instructed', 'abandoned'],
    instructed: ['acked'],
    acked: ['settled', 'pay_failed'],
    settled: [],
    pay_failed: [],
    abandoned: [],
  },
});
export type BatchState = (typeof BATCH_STATES.states)[number];

export const BATCH_ROWS = rowMapper('emoney_batches', {
  id: text('id'),
  terminalId: text('terminal_id'),
  shopId: text('shop_id'),
  bankCode: text('bank_code'),
  state: oneOf('state', BATCH_STATES.states),
  records: text('records'),
  results: nullable(text('results')),
  totalMinor: int('total'),
  currency: text('currency'),
  code: text('code'),
  /** Until then one node is paying this batch at the bank (kit/claims.ts). */
  claimUntilMs: nullable(int('claim_until_ms')),
  createdMs: int('created_ms'),
  updatedMs: int('updated_ms'),
});
export type Batch = MappedRow<typeof BATCH_ROWS>;

export async function loadBatch(q: SqlExecutor, id: string, lock = ''): Promise<Batch | undefined> {
  return BATCH_ROWS.get(q, `WHERE id = ?${lock}`, [id]);
}

/** Sets the named fields (and updatedMs) of one batch; a state change must be in BATCH_STATES. */
export async function updateBatch(tx: Tx, current: Pick<Batch, 'id' | 'state'>, nowMs: number, set: Partial<Omit<Batch, 'id' | 'updatedMs'>>): Promise<void> {
  await updateState(tx, BATCH_ROWS, BATCH_STATES, current, { ...set, updatedMs: nowMs });
}

/** The shop payment of a batch is claimed: one node at a time pays it at the bank. */
export const BATCH_CALLS = callClaims('emoney_batches', EMONEY_LIMITS.bankClaimMs);

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
