/**
 * Control totals of each shop's settlement batches, maintained as the
 * batches change instead of counted at read time, and a change counter per
 * shop that the listings' answer cache is checked against.
 *
 *   merchant_batch_totals   (shop_id, currency, state) → n, s: the count and
 *                           sum of `total` of the shop's batches in that
 *                           currency and state;
 *   merchant_batch_versions shop_id → version: +1 on every insert, delete
 *                           or update of a listed column of one of the shop's
 *                           batches.
 *
 * Database triggers on the e-money module's `emoney_batches` keep both: they
 * run in the same transaction as the statement that changed the batch,
 * whichever module or tool wrote it, on both engines (SQLite triggers;
 * PostgreSQL a plpgsql trigger function). The e-money module's code does not
 * know about them. ensureShopTotals (at the merchant API's start) creates
 * the triggers and rebuilds both tables from the batches in one write
 * transaction holding the write lock, so totals that missed changes (the
 * triggers were lost with a rebuilt table, an older center wrote without
 * them) are made right at every start; versions only ever grow, so no
 * cached answer of another node is taken for a current one.
 *
 * On PostgreSQL with several nodes, two transactions changing batches of
 * the same shop wait for each other on its totals row (a deadlock between
 * them is re-run by the group committer, 40P01).
 */
import { toSafeInt } from '../storage/ints.js';
import type { Engine, SqlExecutor, Tx } from '../storage/types.js';

/** Count and sum of one currency's batches (the listings' `controlTotals`). */
export interface ControlTotal {
  readonly currency: string;
  readonly count: number;
  readonly totalMinor: number;
}

/** The columns a listing answer shows: a change to any of them changes the shop's version. */
const LISTED_COLUMNS = ['id', 'terminal_id', 'shop_id', 'bank_code', 'state', 'records', 'total', 'currency', 'code', 'created_ms', 'updated_ms'] as const;

const TABLES = `CREATE TABLE IF NOT EXISTS merchant_batch_totals (
    shop_id TEXT NOT NULL, currency TEXT NOT NULL, state TEXT NOT NULL, n BIGINT NOT NULL, s BIGINT NOT NULL,
    PRIMARY KEY (shop_id, currency, state));
  CREATE TABLE IF NOT EXISTS merchant_batch_versions (shop_id TEXT PRIMARY KEY, version BIGINT NOT NULL)`;

const add = (row: 'NEW' | 'OLD', sign: '+' | '-'): string =>
  `INSERT INTO merchant_batch_totals (shop_id, currency, state, n, s) VALUES (${row}.shop_id, ${row}.currency, ${row}.state, ${sign}1, ${sign}${row}.total)
     ON CONFLICT (shop_id, currency, state) DO UPDATE SET n = merchant_batch_totals.n + excluded.n, s = merchant_batch_totals.s + excluded.s`;

const bump = (row: 'NEW' | 'OLD'): string =>
  `INSERT INTO merchant_batch_versions (shop_id, version) VALUES (${row}.shop_id, 1)
     ON CONFLICT (shop_id) DO UPDATE SET version = merchant_batch_versions.version + 1`;

function triggersSql(engine: Engine): string {
  const listed = LISTED_COLUMNS.join(', ');
  if (engine === 'sqlite') {
    return `CREATE TRIGGER IF NOT EXISTS merchant_batch_totals_insert AFTER INSERT ON emoney_batches BEGIN
        ${add('NEW', '+')}; ${bump('NEW')}; END;
      CREATE TRIGGER IF NOT EXISTS merchant_batch_totals_delete AFTER DELETE ON emoney_batches BEGIN
        ${add('OLD', '-')}; ${bump('OLD')}; END;
      CREATE TRIGGER IF NOT EXISTS merchant_batch_totals_update AFTER UPDATE OF ${listed} ON emoney_batches BEGIN
        ${add('OLD', '-')}; ${add('NEW', '+')}; ${bump('OLD')}; ${bump('NEW')}; END`;
  }
  return `CREATE OR REPLACE FUNCTION merchant_batch_totals_track() RETURNS trigger LANGUAGE plpgsql AS $fn$
      BEGIN
        IF TG_OP IN ('UPDATE', 'DELETE') THEN ${add('OLD', '-')}; ${bump('OLD')}; END IF;
        IF TG_OP IN ('UPDATE', 'INSERT') THEN ${add('NEW', '+')}; ${bump('NEW')}; END IF;
        RETURN NULL;
      END $fn$;
    DROP TRIGGER IF EXISTS merchant_batch_totals_track ON emoney_batches;
    CREATE TRIGGER merchant_batch_totals_track AFTER INSERT OR DELETE OR UPDATE OF ${listed} ON emoney_batches
      FOR EACH ROW EXECUTE FUNCTION merchant_batch_totals_track()`;
}

/**
 * Creates the tables and triggers and rebuilds the totals and versions from
 * the batches, in one transaction (idempotent; run at every start of the
 * merchant API on a database with the e-money tables).
 */
export async function ensureShopTotals(tx: Tx): Promise<void> {
  // PostgreSQL: no batch changes between the rebuild and the triggers (SQLite's BEGIN IMMEDIATE holds its one write lock already).
  if (tx.engine === 'postgres') await tx.exec('LOCK TABLE emoney_batches IN SHARE ROW EXCLUSIVE MODE');
  await tx.exec(TABLES);
  await tx.exec(triggersSql(tx.engine));
  await tx.exec(`DELETE FROM merchant_batch_totals;
    INSERT INTO merchant_batch_totals (shop_id, currency, state, n, s)
      SELECT shop_id, currency, state, COUNT(*), COALESCE(SUM(total), 0) FROM emoney_batches GROUP BY shop_id, currency, state;
    UPDATE merchant_batch_versions SET version = version + 1;
    INSERT INTO merchant_batch_versions (shop_id, version) SELECT DISTINCT shop_id, 1 FROM emoney_batches WHERE true ON CONFLICT (shop_id) DO NOTHING`);
}

/** The shop's change counter (0 while it never had a batch). */
export async function shopVersion(q: SqlExecutor, shopId: string): Promise<number> {
  const r = await q.get('SELECT version FROM merchant_batch_versions WHERE shop_id = ?', [shopId]);
  return r === undefined ? 0 : toSafeInt(r['version'], 'merchant_batch_versions.version');
}

/** The totals statement by the number of states named (0: every state). */
const TOTALS_SQL = new Map<number, string>();

/**
 * Count and sum per currency of the shop's batches in `states` (every state
 * when `stateCount` is 0), currencies with none left out, in currency order:
 * read from a handful of rows whatever the number of batches.
 */
export async function shopControlTotals(q: SqlExecutor, shopId: string, stateCount: number, states: readonly string[]): Promise<ControlTotal[]> {
  let sql = TOTALS_SQL.get(stateCount);
  if (sql === undefined) {
    const inStates = stateCount > 0 ? ` AND state IN (${Array.from({ length: stateCount }, () => '?').join(',')})` : '';
    sql = `SELECT currency, SUM(n) AS n, SUM(s) AS s FROM merchant_batch_totals WHERE shop_id = ?${inStates} GROUP BY currency HAVING SUM(n) > 0 ORDER BY currency`;
    TOTALS_SQL.set(stateCount, sql);
  }
  const rows = await q.all(sql, stateCount > 0 ? [shopId, ...states] : [shopId]);
  return rows.map((t) => ({ currency: String(t['currency']), count: toSafeInt(t['n'], 'count'), totalMinor: toSafeInt(t['s'], 'sum') }));
}
