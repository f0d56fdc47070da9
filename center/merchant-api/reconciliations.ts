/**
 * A merchant's reconciliation: it names settlements and declares the control
 * totals it booked on its side (count, total, currency); the center compares
 * them with its own (the booked batch totals) and records the result with an
 * id. The first POST route of the merchant API, run through the idempotency
 * store: a retry with the same key gets the same reconciliation back.
 */
import type { Clock } from '../../core/clock.js';
import { TesseraError } from '../../core/errors.js';
import type { Random } from '../../core/random.js';
import { toSafeInt } from '../storage/ints.js';
import type { SqlExecutor, Tx } from '../storage/types.js';
import type { Merchant } from './merchants.js';
import { BOOKED_STATES, type BatchRow } from './settlements.js';

export interface NewReconciliation {
  readonly settlementIds: readonly string[];
  readonly declared: { readonly count: number; readonly totalMinor: number; readonly currency: string };
}

export interface Reconciliation {
  readonly id: string;
  readonly settlementIds: string[];
  readonly declared: { count: number; totalMinor: number; currency: string };
  /** The center's control totals over the same settlements. */
  readonly expected: { count: number; totalMinor: number; currency: string };
  readonly matched: boolean;
  readonly createdAtMs: number;
}

type Row = {
  id: string; settlement_ids: string; currency: string; declared_count: unknown; declared_total: unknown;
  expected_count: unknown; expected_total: unknown; matched: unknown; created_ms: unknown;
};

function fromRow(r: Row): Reconciliation {
  const currency = r.currency;
  return {
    id: r.id,
    settlementIds: JSON.parse(r.settlement_ids) as string[],
    declared: { count: toSafeInt(r.declared_count, 'declared_count'), totalMinor: toSafeInt(r.declared_total, 'declared_total'), currency },
    expected: { count: toSafeInt(r.expected_count, 'expected_count'), totalMinor: toSafeInt(r.expected_total, 'expected_total'), currency },
    matched: toSafeInt(r.matched, 'matched') === 1,
    createdAtMs: toSafeInt(r.created_ms, 'created_ms'),
  };
}

/**
 * Creates the reconciliation inside the caller's unit of work. Refused, with
 * nothing written: a settlement not the merchant's (MERCHANT_NOT_FOUND) or not
 * booked yet (MERCHANT_SETTLEMENT_OPEN). Differing totals are not an error:
 * the reconciliation is recorded with `matched: false`.
 */
export async function createReconciliation(tx: Tx, m: Merchant, input: NewReconciliation, clock: Clock, random: Random): Promise<Reconciliation> {
  const ids = [...new Set(input.settlementIds)].sort();
  const rows = m.shopId === null ? [] : await tx.all<BatchRow>(
    `SELECT * FROM emoney_batches WHERE shop_id = ? AND id IN (${ids.map(() => '?').join(',')})`, [m.shopId, ...ids],
  );
  const missing = ids.filter((id) => !rows.some((r) => r.id === id));
  if (missing.length > 0) throw new TesseraError('MERCHANT_NOT_FOUND', 'settlements not found for this merchant', { settlementIds: missing.slice(0, 10) });
  const open = rows.filter((r) => !(BOOKED_STATES as readonly string[]).includes(r.state)).map((r) => r.id);
  if (open.length > 0) throw new TesseraError('MERCHANT_SETTLEMENT_OPEN', 'settlements not booked yet', { settlementIds: open.slice(0, 10) });
  const currencies = new Set(rows.map((r) => r.currency));
  const currency = currencies.size === 1 ? [...currencies][0]! : input.declared.currency;
  const expected = { count: rows.length, totalMinor: rows.reduce((s, r) => s + toSafeInt(r.total, 'total'), 0), currency };
  const matched = currencies.size === 1 && expected.count === input.declared.count && expected.totalMinor === input.declared.totalMinor && currency === input.declared.currency;
  const rec: Reconciliation = {
    id: `rc_${random.bytes(12).toString('hex')}`,
    settlementIds: ids,
    declared: { ...input.declared },
    expected,
    matched,
    createdAtMs: clock.nowMs(),
  };
  await tx.run(
    `INSERT INTO merchant_reconciliations (id, merchant_id, settlement_ids, currency, declared_count, declared_total, expected_count, expected_total, matched, created_ms)
     VALUES (?,?,?,?,?,?,?,?,?,?)`,
    [rec.id, m.id, JSON.stringify(ids), input.declared.currency, input.declared.count, input.declared.totalMinor, expected.count, expected.totalMinor, matched ? 1 : 0, rec.createdAtMs],
  );
  return rec;
}

export async function loadReconciliation(q: SqlExecutor, m: Merchant, id: string): Promise<Reconciliation | undefined> {
  const r = await q.get<Row>('SELECT * FROM merchant_reconciliations WHERE id = ? AND merchant_id = ?', [id, m.id]);
  return r ? fromRow(r) : undefined;
}
