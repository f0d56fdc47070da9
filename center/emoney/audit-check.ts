/**
 * The e-money audit check: the float account equals the e-money outstanding
 * as the flows' own rows say it, issued (charges credited to a card) minus
 * settled (records accepted into a batch, and records that paid at another
 * capability's terminal: purse-payments.ts). A ledger write that bypassed the
 * flows (a raw transfer from the float) breaks it.
 */
import type { AuditCheck, AuditExtension } from '../ledger/audit.js';
import { rowMapper, text } from '../kit/rows.js';
import type { SqlExecutor } from '../storage/types.js';
import { FLOAT } from './ledger-map.js';
import { PAYMENT_BATCH_PREFIX } from './purse-payments.js';

/** Batch states in which the accepted total has left the float (booked float → settle-clearing at `instructed`). */
const BOOKED_BATCH_STATES = `('instructed','acked','settled','pay_failed')`;

const FLOAT_SUMS = rowMapper('e-money float check', { float: text('fl'), issued: text('issued'), settled: text('settled') });

async function floatCheck(q: SqlExecutor): Promise<AuditCheck> {
  const row = (await FLOAT_SUMS.queryOne(
    q,
    `SELECT CAST(COALESCE((SELECT credits_posted - debits_posted FROM ledger_accounts WHERE id = ?), 0) AS TEXT) AS fl,
            CAST(COALESCE((SELECT SUM(amount) FROM emoney_charges WHERE state = 'issued'), 0) AS TEXT) AS issued,
            CAST(COALESCE((SELECT SUM(total) FROM emoney_batches WHERE state IN ${BOOKED_BATCH_STATES}), 0)
               + COALESCE((SELECT SUM(amount) FROM emoney_records WHERE state = 'settled' AND batch_id LIKE ?), 0) AS TEXT) AS settled`,
    [FLOAT, `${PAYMENT_BATCH_PREFIX}%`],
  ))!; // scalar subqueries: always one row
  // Sums as decimal text, compared as bigints: a sum past 2^53 is still compared exactly.
  const float = BigInt(row.float);
  const outstanding = BigInt(row.issued) - BigInt(row.settled);
  const ok = float === outstanding;
  return {
    name: 'e-money float equals e-money outstanding (issued - settled)',
    ok,
    violations: ok ? 0 : 1,
    examples: ok ? [] : [`${FLOAT}: balance ${float} but issued - settled = ${outstanding}`],
  };
}

export const EMONEY_AUDIT: AuditExtension = { module: 'emoney', check: floatCheck };
