/**
 * The prepaid audit check: the liability the ledger holds for the media
 * (Σ prepaid@* accounts) equals the balances the prepaid center holds
 * (Σ prepaid_media.balance, ¶0038), and medium by medium. A ledger write
 * that bypassed the flows, or a balance changed without its move, breaks it.
 */
import type { AuditCheck, AuditExtension } from '../ledger/audit.js';
import { rowMapper, text } from '../kit/rows.js';
import type { SqlExecutor } from '../storage/types.js';

const SUMS = rowMapper('prepaid liability check', { liability: text('liability'), balances: text('balances') });
const MISMATCH = rowMapper('prepaid medium mismatch', { id: text('id'), balance: text('balance'), account: text('account') });

async function liabilityCheck(q: SqlExecutor): Promise<AuditCheck> {
  const row = (await SUMS.queryOne(
    q,
    `SELECT CAST(COALESCE((SELECT SUM(credits_posted - debits_posted) FROM ledger_accounts WHERE kind = 'prepaid_liability'), 0) AS TEXT) AS liability,
            CAST(COALESCE((SELECT SUM(balance) FROM prepaid_media), 0) AS TEXT) AS balances`,
  ))!;
  const bad = await MISMATCH.query(
    q,
    `SELECT m.id AS id, CAST(m.balance AS TEXT) AS balance, CAST(COALESCE(a.credits_posted - a.debits_posted, 0) AS TEXT) AS account
       FROM prepaid_media m LEFT JOIN ledger_accounts a ON a.id = 'prepaid@' || m.id
      WHERE m.balance <> COALESCE(a.credits_posted - a.debits_posted, 0) ORDER BY m.id LIMIT 10`,
  );
  const total = BigInt(row.liability) === BigInt(row.balances);
  const ok = total && bad.length === 0;
  return {
    name: 'prepaid liability equals the balances held for the media (sum of balances = liability)',
    ok,
    violations: (total ? 0 : 1) + bad.length,
    examples: [...(total ? [] : [`prepaid liability ${row.liability} but balances sum to ${row.balances}`]), ...bad.map((b) => `prepaid@${b.id}: balance ${b.balance}, account ${b.account}`)],
  };
}

export const PREPAID_AUDIT: AuditExtension = { module: 'prepaid', check: liabilityCheck };
