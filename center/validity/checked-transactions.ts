import type { ModuleMigrations, SqlExecutor, SqlParam, Tx } from '../storage/types.js';
import { TX_RESULT, type TransactionContext, type TransactionHandler, type TransactionOutcome } from './transaction-registry.js';

/** The table of validity-checked transactions (the default handler's record). */
export const checkedTransactionMigrations: ModuleMigrations = {
  module: 'checked_transactions',
  migrations: [
    {
      version: 1,
      name: 'checked transactions',
      sql:
        'CREATE TABLE checked_transactions (' +
        ' id TEXT PRIMARY KEY, terminal_id TEXT NOT NULL, medium_id TEXT NOT NULL, kind INTEGER NOT NULL,' +
        ' amount_minor BIGINT NOT NULL, currency TEXT NOT NULL, executed_at_ms BIGINT NOT NULL)',
    },
  ],
};

const SAME_FIELDS = ['terminal_id', 'medium_id', 'kind', 'amount_minor', 'currency'] as const;

function fieldsOf(ctx: TransactionContext): readonly SqlParam[] {
  return [ctx.terminalId, ctx.mediumId, ctx.request.kind, ctx.request.amountMinor, ctx.request.currency];
}

/**
 * The outcome of an earlier execution of this id, if there was one.
 * `anyMedium`: a retry on a new session has no validity check, so no medium to compare.
 */
export async function earlierOutcome(
  q: SqlExecutor,
  ctx: TransactionContext,
  lockSuffix = '',
  opts: { anyMedium?: boolean } = {},
): Promise<TransactionOutcome | undefined> {
  const existing = await q.get(`SELECT ${SAME_FIELDS.join(', ')} FROM checked_transactions WHERE id = ?${lockSuffix}`, [ctx.transactionId]);
  if (!existing) return undefined;
  const row = fieldsOf(ctx);
  const same = SAME_FIELDS.every((f, i) => (opts.anyMedium && f === 'medium_id') || existing[f] === row[i]);
  return { approved: same, resultCode: same ? TX_RESULT.OK : TX_RESULT.EXISTS_WITH_DIFFERENT_FIELDS };
}

/**
 * The default transaction: "a validity-checked transaction" recorded once by
 * its id. A retry with the same id and fields answers OK again (nothing is
 * recorded twice); the same id with other fields is declined.
 */
export const recordCheckedTransaction: TransactionHandler = async (tx: Tx, ctx: TransactionContext): Promise<TransactionOutcome> => {
  const earlier = await earlierOutcome(tx, ctx, tx.forUpdate);
  if (earlier) return earlier;
  await tx.run(
    'INSERT INTO checked_transactions (id, terminal_id, medium_id, kind, amount_minor, currency, executed_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?)',
    [ctx.transactionId, ...fieldsOf(ctx), ctx.nowMs],
  );
  return { approved: true, resultCode: TX_RESULT.OK };
};
