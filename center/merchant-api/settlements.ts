/**
 * The merchant's own settlements (seed-004 batches of its shop id) and
 * payouts (the bank transfers that paid them), with the ids a merchant
 * reconciles against and control totals. Read-only: the e-money module owns
 * these rows (center/emoney/README.md); a merchant without a shop id, or a
 * center without the e-money module, has none.
 */
import { TesseraError } from '../../core/errors.js';
import { RECORD_STATUS } from '../../protocol/codes.js';
import { BATCH_ROWS, BATCH_STATES, decodeRecords, decodeResults, type Batch as BatchRow } from '../emoney/batch-row.js';
import { derivedId } from '../emoney/ledger-map.js';
import { int, oneOf, rowMapper, text, type MappedRow } from '../kit/rows.js';
import { toSafeInt } from '../storage/ints.js';
import type { Engine, SqlExecutor, SqlParam, Tx } from '../storage/types.js';
import type { Merchant } from './merchants.js';
import { ensureShopTotals, shopControlTotals, type ControlTotal } from './shop-totals.js';

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

export type { ControlTotal };

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

/**
 * What a listing page reads of a batch: the fields of a settlement and of a
 * payout, and the record count, counted by the database (json_array_length)
 * so neither the records nor the results column leaves it.
 */
export const BATCH_LIST_ROWS = rowMapper('emoney_batches', {
  id: text('id'),
  terminalId: text('terminal_id'),
  bankCode: text('bank_code'),
  state: oneOf('state', BATCH_STATES.states),
  totalMinor: int('total'),
  currency: text('currency'),
  code: text('code'),
  recordCount: int('record_count'),
  createdMs: int('created_ms'),
  updatedMs: int('updated_ms'),
});
export type BatchListRow = MappedRow<typeof BATCH_LIST_ROWS>;

/** The select list of BATCH_LIST_ROWS (records is TEXT holding a JSON array on both engines). */
function listColumns(engine: Engine): string {
  const count = engine === 'postgres' ? 'json_array_length(records::json)' : 'json_array_length(records)';
  return `id, terminal_id, bank_code, state, total, currency, code, ${count} AS record_count, created_ms, updated_ms`;
}

export function settlementOf(b: Omit<BatchListRow, 'bankCode' | 'code'>): Settlement {
  return {
    id: b.id,
    terminalId: b.terminalId,
    state: b.state,
    currency: b.currency,
    totalMinor: b.totalMinor,
    recordCount: b.recordCount,
    createdAtMs: b.createdMs,
    updatedAtMs: b.updatedMs,
    payoutId: payoutStateOf(b.state) ? derivedId(b.id, 'PAY') : null,
  };
}

/** A whole batch row as its listing row (the detail route has decoded the records already). */
export function listRowOf(b: BatchRow, recordCount: number): BatchListRow {
  return { id: b.id, terminalId: b.terminalId, bankCode: b.bankCode, state: b.state, totalMinor: b.totalMinor, currency: b.currency, code: b.code, recordCount, createdMs: b.createdMs, updatedMs: b.updatedMs };
}

export function paymentsOf(b: BatchRow): Payment[] {
  const results = new Map(decodeResults(b.results ?? '[]').map((r) => [`${r.mediumId.toString('hex')}:${r.cardCounter}`, r.status]));
  return decodeRecords(b.records).map((r) => {
    const s = results.get(`${r.mediumId.toString('hex')}:${r.cardCounter}`);
    return { cardId: r.mediumId.toString('hex'), cardCounter: r.cardCounter, amountMinor: r.amountMinor, currency: r.currency, status: s === undefined ? null : (STATUS_NAME[s] ?? 'unknown') };
  });
}

export function payoutOf(b: Pick<BatchListRow, 'id' | 'state' | 'totalMinor' | 'currency' | 'bankCode' | 'code' | 'updatedMs'>): Payout | null {
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

/**
 * Batches of the merchant's shop matching the filters, `states` among those
 * given: one page (the listing columns only) and the control totals over
 * every matching row: from the maintained totals (shop-totals.ts) when
 * `maintained` and the filter has no created range, otherwise counted
 * (from the covering index merchant_api_batches_totals).
 */
export async function listBatches(q: SqlExecutor, m: Merchant, query: ListQuery, states: readonly string[], maintained: boolean): Promise<{ rows: BatchListRow[]; nextCursor: string | null; controlTotals: ControlTotal[] }> {
  if (m.shopId === null || states.length === 0) return { rows: [], nextCursor: null, controlTotals: [] };
  // Every state a batch can be in: no condition (SQLite would test each index entry against the list).
  const stateCount = BATCH_STATES.states.every((s) => states.includes(s)) ? 0 : states.length;
  const after = query.cursor ? decodeCursor(query.cursor) : undefined;
  if (query.cursor && !after) {
    throw new TesseraError('HTTP_INVALID_REQUEST', 'cursor is not one this API gave', { in: 'querystring', issues: [{ path: 'cursor', message: 'unknown cursor' }] });
  }
  const sql = listingSql(q.engine, stateCount, query.createdFromMs !== undefined, query.createdToMs !== undefined, after !== undefined);
  const params: SqlParam[] = [m.shopId];
  if (stateCount > 0) params.push(...states);
  if (query.createdFromMs !== undefined) params.push(query.createdFromMs);
  if (query.createdToMs !== undefined) params.push(query.createdToMs);
  const counted = !maintained || query.createdFromMs !== undefined || query.createdToMs !== undefined;
  const controlTotals = counted
    ? (await q.all(sql.totals, params)).map((t) => ({ currency: String(t['currency']), count: toSafeInt(t['n'], 'count'), totalMinor: toSafeInt(t['s'] ?? 0, 'sum') }))
    : await shopControlTotals(q, m.shopId, stateCount, states);
  if (after) params.push(after.createdMs, after.createdMs, after.id);
  params.push(query.limit + 1);
  const rows = await BATCH_LIST_ROWS.query(q, sql.page, params);
  const more = rows.length > query.limit;
  if (more) rows.length = query.limit;
  const last = rows[rows.length - 1];
  return {
    rows,
    nextCursor: more && last ? encodeCursor(last.createdMs, last.id) : null,
    controlTotals,
  };
}

/** The two statements of a listing by the shape of its filter (a handful of shapes: each SQL text is built once, so its prepared statement is found by the same string). */
const LISTING_SQL = new Map<string, { totals: string; page: string }>();

function listingSql(engine: Engine, stateCount: number, from: boolean, to: boolean, cursor: boolean): { totals: string; page: string } {
  const shape = `${engine}:${stateCount}:${from}:${to}:${cursor}`;
  let sql = LISTING_SQL.get(shape);
  if (sql === undefined) {
    const where = ['shop_id = ?'];
    if (stateCount > 0) where.push(`state IN (${Array.from({ length: stateCount }, () => '?').join(',')})`);
    if (from) where.push('created_ms >= ?');
    if (to) where.push('created_ms < ?');
    const pageWhere = cursor ? [...where, '(created_ms > ? OR (created_ms = ? AND id > ?))'] : where;
    sql = {
      totals: `SELECT currency, COUNT(*) AS n, SUM(total) AS s FROM emoney_batches WHERE ${where.join(' AND ')} GROUP BY currency ORDER BY currency`,
      page: `SELECT ${listColumns(engine)} FROM emoney_batches WHERE ${pageWhere.join(' AND ')} ORDER BY created_ms, id LIMIT ?`,
    };
    LISTING_SQL.set(shape, sql);
  }
  return sql;
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
  private seenOnce = false;

  constructor(private readonly storage: { read<T>(fn: (q: SqlExecutor) => Promise<T>): Promise<T> }) {}

  /** True once the tables were seen (they are never dropped): no promise needed. */
  get seen(): boolean {
    return this.seenOnce;
  }

  /** `q`: the caller's unit of work, if it is in one (a unit awaits only its own database work). */
  async installed(q?: SqlExecutor): Promise<boolean> {
    if (this.seenOnce) return true;
    const sql = `SELECT version FROM schema_migrations WHERE module = 'emoney' LIMIT 1`;
    const row = q ? await q.get(sql) : await this.storage.read((r) => r.get(sql));
    this.seenOnce = row !== undefined;
    return this.seenOnce;
  }
}

/**
 * What the listings need on the e-money module's batches: indexes by shop in
 * created order (the page; without it every listing scans every shop's
 * batches) and by shop and currency covering counted control totals (a
 * created range), and the maintained totals and versions (shop-totals.ts).
 * Made here, idempotently, in one transaction when the merchant API starts
 * on a database that has the e-money tables; true when the totals are
 * maintained (false: no e-money tables, listings count their totals).
 */
export async function ensureShopIndex(storage: { transact<T>(fn: (tx: Tx) => Promise<T>): Promise<T> }, presence: EmoneyPresence): Promise<boolean> {
  if (!(await presence.installed())) return false;
  await storage.transact(async (tx) => {
    await tx.exec('CREATE INDEX IF NOT EXISTS merchant_api_batches_by_shop ON emoney_batches (shop_id, created_ms, id)');
    await tx.exec('CREATE INDEX IF NOT EXISTS merchant_api_batches_totals ON emoney_batches (shop_id, currency, state, created_ms, total)');
    await ensureShopTotals(tx);
  });
  return true;
}
