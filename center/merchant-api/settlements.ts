/**
 * The merchant's own settlements (seed-004 batches of its shop id) and
 * payouts (the bank transfers that paid them), with the ids a merchant
 * reconciles against and control totals. Read-only: the e-money module owns
 * these rows (center/emoney/README.md); a merchant without a shop id, or a
 * center without the e-money module, has none.
 */
import { TesseraError } from '../../core/errors.js';
import { RECORD_STATUS } from '../../protocol/codes.js';
import { BATCH_ROWS, decodeRecords, decodeResults, type Batch as BatchRow } from '../emoney/batch-row.js';
import { derivedId } from '../emoney/ledger-map.js';
import { toSafeInt } from '../storage/ints.js';
import type { SqlExecutor, SqlParam, Tx } from '../storage/types.js';
import type { Merchant } from './merchants.js';

export const SETTLEMENT_STATES = ['awaiting_callback', 'instructed', 'acked', 'settled', 'pay_failed', 'abandoned'] as const;
/** Batch states whose total is booked (float → settle-clearing): what a merchant can reconcile. */
export const BOOKED_STATES = ['instructed', 'acked', 'settled', 'pay_failed'] as const;
export const PAYOUT_STATES = ['pending', 'paid', 'failed'] as const;
export type PayoutState = (typeof PAYOUT_STATES)[number];

const STATUS_NAME: Record<number, string> = Object.fromEntries(Object.entries(RECORD_STATUS).map(([k, v]) => [v, k.toLowerCase()]));

export interface Settlement {
  /** The batch id: the reconciliation id of this settlement. */
  readonly id: string;
  readonly terminalId: string;
  readonly state: (typeof SETTLEMENT_STATES)[number];
  readonly currency: string;
  /** Accepted records' total (0 until the batch is verified). */
  readonly totalMinor: number;
  readonly recordCount: number;
  readonly createdAtMs: number;
  readonly updatedAtMs: number;
  /** The bank transfer paying it, once the shop acknowledged (acked) or later. */
  readonly payoutId: string | null;
}

export interface Payment {
  readonly cardId: string;
  readonly cardCounter: number;
  readonly amountMinor: number;
  readonly currency: string;
  /** accepted | forged | altered | duplicate; null until the batch is verified. */
  readonly status: string | null;
}

export interface Payout {
  /** The bank transfer id (idempotency id at the bank; on the shop's bank statement). */
  readonly id: string;
  readonly settlementId: string;
  readonly state: PayoutState;
  readonly amountMinor: number;
  readonly currency: string;
  readonly bankCode: string;
  /** The bank's result code (OK when paid). */
  readonly resultCode: string;
  /** The ledger transfer that booked it (settle-clearing → provider), when paid. */
  readonly ledgerTransferId: string | null;
  readonly updatedAtMs: number;
}

export interface ControlTotal {
  readonly currency: string;
  readonly count: number;
  readonly totalMinor: number;
}

export interface Page<T> {
  readonly items: T[];
  /** Pass as `cursor` for the next page; null on the last page. */
  readonly nextCursor: string | null;
  /** Count and sum per currency over every row matching the filters (not just this page). */
  readonly controlTotals: ControlTotal[];
}

export interface ListQuery {
  readonly limit: number;
  readonly cursor?: string | undefined;
  readonly state?: string | undefined;
  readonly createdFromMs?: number | undefined;
  readonly createdToMs?: number | undefined;
}

const PAYOUT_BATCH_STATES: Record<PayoutState, string> = { pending: 'acked', paid: 'settled', failed: 'pay_failed' };

function payoutStateOf(batchState: string): PayoutState | null {
  return batchState === 'acked' ? 'pending' : batchState === 'settled' ? 'paid' : batchState === 'pay_failed' ? 'failed' : null;
}

export function settlementOf(b: BatchRow): Settlement {
  return {
    id: b.id,
    terminalId: b.terminalId,
    state: b.state,
    currency: b.currency,
    totalMinor: b.totalMinor,
    // Only the count: decoding every record (hex → Buffer) is the listing's main cost.
    recordCount: (JSON.parse(b.records) as unknown[]).length,
    createdAtMs: b.createdMs,
    updatedAtMs: b.updatedMs,
    payoutId: payoutStateOf(b.state) ? derivedId(b.id, 'PAY') : null,
  };
}

export function paymentsOf(b: BatchRow): Payment[] {
  const results = new Map(decodeResults(b.results ?? '[]').map((r) => [`${r.mediumId.toString('hex')}:${r.cardCounter}`, r.status]));
  return decodeRecords(b.records).map((r) => {
    const s = results.get(`${r.mediumId.toString('hex')}:${r.cardCounter}`);
    return { cardId: r.mediumId.toString('hex'), cardCounter: r.cardCounter, amountMinor: r.amountMinor, currency: r.currency, status: s === undefined ? null : (STATUS_NAME[s] ?? 'unknown') };
  });
}

export function payoutOf(b: BatchRow): Payout | null {
  const state = payoutStateOf(b.state);
  if (!state) return null;
  return {
    id: derivedId(b.id, 'PAY'),
    settlementId: b.id,
    state,
    amountMinor: b.totalMinor,
    currency: b.currency,
    bankCode: b.bankCode,
    resultCode: state === 'pending' ? 'PENDING' : b.code,
    ledgerTransferId: state === 'paid' && b.totalMinor > 0 ? derivedId(b.id, 'SHOP_PAID') : null,
    updatedAtMs: b.updatedMs,
  };
}

/** Keyset cursor over (created_ms, id): opaque to the merchant. */
export function encodeCursor(createdMs: number, id: string): string {
  return Buffer.from(`${createdMs}:${id}`, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): { createdMs: number; id: string } | undefined {
  const m = /^(\d{1,16}):([0-9a-f]{32})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  return m ? { createdMs: Number(m[1]), id: m[2]! } : undefined;
}

/** Batches of the merchant's shop matching the filters, `states` among those given. */
export async function listBatches(q: SqlExecutor, m: Merchant, query: ListQuery, states: readonly string[]): Promise<{ rows: BatchRow[]; nextCursor: string | null; controlTotals: ControlTotal[] }> {
  if (m.shopId === null || states.length === 0) return { rows: [], nextCursor: null, controlTotals: [] };
  const where = [`shop_id = ?`, `state IN (${states.map(() => '?').join(',')})`];
  const params: SqlParam[] = [m.shopId, ...states];
  if (query.createdFromMs !== undefined) { where.push('created_ms >= ?'); params.push(query.createdFromMs); }
  if (query.createdToMs !== undefined) { where.push('created_ms < ?'); params.push(query.createdToMs); }
  const totals = await q.all(`SELECT currency, COUNT(*) AS n, SUM(total) AS s FROM emoney_batches WHERE ${where.join(' AND ')} GROUP BY currency ORDER BY currency`, params);
  const after = query.cursor ? decodeCursor(query.cursor) : undefined;
  if (query.cursor && !after) {
    throw new TesseraError('HTTP_INVALID_REQUEST', 'cursor is not one this API gave', { in: 'querystring', issues: [{ path: 'cursor', message: 'unknown cursor' }] });
  }
  const pageWhere = after ? [...where, '(created_ms > ? OR (created_ms = ? AND id > ?))'] : where;
  const pageParams = after ? [...params, after.createdMs, after.createdMs, after.id] : params;
  const rows = await BATCH_ROWS.all(q, `WHERE ${pageWhere.join(' AND ')} ORDER BY created_ms, id LIMIT ?`, [...pageParams, query.limit + 1]);
  const more = rows.length > query.limit;
  const page = rows.slice(0, query.limit);
  const last = page[page.length - 1];
  return {
    rows: page,
    nextCursor: more && last ? encodeCursor(last.createdMs, last.id) : null,
    controlTotals: totals.map((t) => ({ currency: String(t['currency']), count: toSafeInt(t['n'], 'count'), totalMinor: toSafeInt(t['s'] ?? 0, 'sum') })),
  };
}

export function statesFor(kind: 'settlements' | 'payouts', state: string | undefined): string[] {
  if (kind === 'settlements') return state ? [state] : [...SETTLEMENT_STATES];
  return state ? [PAYOUT_BATCH_STATES[state as PayoutState]] : Object.values(PAYOUT_BATCH_STATES);
}

export async function loadMerchantBatch(q: SqlExecutor, m: Merchant, id: string): Promise<BatchRow | undefined> {
  if (m.shopId === null || !/^[0-9a-f]{32}$/.test(id)) return undefined;
  return BATCH_ROWS.get(q, 'WHERE id = ? AND shop_id = ?', [id, m.shopId]);
}

/**
 * Whether this center database has the e-money module's tables: a center
 * without e-money has merchants (online shops for vouchers) but no
 * settlements. Asked per request until the tables appear, then remembered.
 */
export class EmoneyPresence {
  private seen = false;

  constructor(private readonly storage: { read<T>(fn: (q: SqlExecutor) => Promise<T>): Promise<T> }) {}

  /** `q`: the caller's unit of work, if it is in one (a unit awaits only its own database work). */
  async installed(q?: SqlExecutor): Promise<boolean> {
    if (this.seen) return true;
    const sql = `SELECT version FROM schema_migrations WHERE module = 'emoney' LIMIT 1`;
    const row = q ? await q.get(sql) : await this.storage.read((r) => r.get(sql));
    this.seen = row !== undefined;
    return this.seen;
  }
}

/**
 * The indexes the listings need on the e-money module's batches: by shop in
 * created order (the page; without it every listing scans every shop's
 * batches) and by shop and currency covering the control totals. Made
 * here, idempotently, when the merchant API starts on a database that has the
 * e-money tables, until e-money's own migrations carry it.
 */
export async function ensureShopIndex(storage: { transact<T>(fn: (tx: Tx) => Promise<T>): Promise<T> }, presence: EmoneyPresence): Promise<void> {
  if (!(await presence.installed())) return;
  await storage.transact(async (tx) => {
    await tx.exec('CREATE INDEX IF NOT EXISTS merchant_api_batches_by_shop ON emoney_batches (shop_id, created_ms, id)');
    // Covers the control totals (every listing page computes them over every matching row): read from the index alone, in currency order, not from each batch row (records and all).
    await tx.exec('CREATE INDEX IF NOT EXISTS merchant_api_batches_totals ON emoney_batches (shop_id, currency, state, created_ms, total)');
  });
}
