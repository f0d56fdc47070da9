import type { SqlExecutor, Storage } from '../storage/types.js';
import { TF_PENDING, TF_POST_PENDING, TF_VOID_PENDING } from './schema.js';

/** Examples of violations kept per check (the count is exact). */
const AUDIT_EXAMPLES_MAX = 20;

export interface AuditCheck {
  readonly name: string;
  readonly ok: boolean;
  readonly violations: number;
  readonly examples: string[];
}

export interface CurrencyTotals {
  readonly currency: string;
  /** Decimal strings: totals may exceed a safe integer. */
  readonly debitsPosted: string;
  readonly creditsPosted: string;
  readonly debitsPending: string;
  readonly creditsPending: string;
}

export interface AuditReport {
  readonly ok: boolean;
  readonly accounts: number;
  readonly transfers: number;
  readonly totals: CurrencyTotals[];
  readonly checks: AuditCheck[];
}

/**
 * A check of another module's books against the ledger (e.g. the e-money
 * float against the e-money outstanding), run only where that module's
 * migrations ran.
 */
export interface AuditExtension {
  readonly module: string;
  check(q: SqlExecutor): Promise<AuditCheck>;
}

const POSTED = `(flags & ${TF_PENDING | TF_VOID_PENDING}) = 0`;

/** Each check: a query returning one row per violation, with a `what` column describing it. */
const CHECKS: readonly { name: string; sql: string }[] = [
  {
    name: 'every transfer names existing accounts',
    sql: `SELECT t.id || ': missing ' || CASE WHEN d.id IS NULL THEN 'debit ' || t.debit_account_id ELSE 'credit ' || t.credit_account_id END AS what
          FROM ledger_transfers t LEFT JOIN ledger_accounts d ON d.id = t.debit_account_id LEFT JOIN ledger_accounts c ON c.id = t.credit_account_id
          WHERE d.id IS NULL OR c.id IS NULL`,
  },
  {
    name: 'every transfer has the currency of its accounts',
    sql: `SELECT t.id || ': ' || t.currency || ' vs ' || d.currency || '/' || c.currency AS what
          FROM ledger_transfers t JOIN ledger_accounts d ON d.id = t.debit_account_id JOIN ledger_accounts c ON c.id = t.credit_account_id
          WHERE t.currency <> d.currency OR t.currency <> c.currency`,
  },
  {
    name: 'no account flagged must-not-go-negative is negative',
    sql: `SELECT id || ': debits ' || CAST(debits_posted + debits_pending AS TEXT) || ' > credits ' || CAST(credits_posted AS TEXT) AS what
          FROM ledger_accounts WHERE (flags & 1) <> 0 AND debits_posted + debits_pending > credits_posted`,
  },
  {
    name: 'no account flagged must-not-go-positive is positive',
    sql: `SELECT id || ': credits ' || CAST(credits_posted + credits_pending AS TEXT) || ' > debits ' || CAST(debits_posted AS TEXT) AS what
          FROM ledger_accounts WHERE (flags & 2) <> 0 AND credits_posted + credits_pending > debits_posted`,
  },
  {
    name: 'account balances equal the sum of their transfers',
    sql: `WITH dpost AS (SELECT debit_account_id AS id, SUM(amount) AS s FROM ledger_transfers WHERE ${POSTED} GROUP BY debit_account_id),
               cpost AS (SELECT credit_account_id AS id, SUM(amount) AS s FROM ledger_transfers WHERE ${POSTED} GROUP BY credit_account_id),
               dpend AS (SELECT debit_account_id AS id, SUM(amount) AS s FROM ledger_transfers WHERE pending_status = 'pending' GROUP BY debit_account_id),
               cpend AS (SELECT credit_account_id AS id, SUM(amount) AS s FROM ledger_transfers WHERE pending_status = 'pending' GROUP BY credit_account_id)
          SELECT a.id || ': balances ' || CAST(a.debits_posted AS TEXT) || '/' || CAST(a.credits_posted AS TEXT) || '/' ||
                 CAST(a.debits_pending AS TEXT) || '/' || CAST(a.credits_pending AS TEXT) || ' but transfers ' ||
                 CAST(COALESCE(dpost.s, 0) AS TEXT) || '/' || CAST(COALESCE(cpost.s, 0) AS TEXT) || '/' ||
                 CAST(COALESCE(dpend.s, 0) AS TEXT) || '/' || CAST(COALESCE(cpend.s, 0) AS TEXT) AS what
          FROM ledger_accounts a LEFT JOIN dpost ON dpost.id = a.id LEFT JOIN cpost ON cpost.id = a.id
               LEFT JOIN dpend ON dpend.id = a.id LEFT JOIN cpend ON cpend.id = a.id
          WHERE a.debits_posted <> COALESCE(dpost.s, 0) OR a.credits_posted <> COALESCE(cpost.s, 0)
             OR a.debits_pending <> COALESCE(dpend.s, 0) OR a.credits_pending <> COALESCE(cpend.s, 0)`,
  },
  {
    name: 'every post/void names a pending transfer in the matching state, once',
    sql: `SELECT t.id || ': pending ' || t.pending_id || ' is ' || COALESCE(p.pending_status, 'missing') AS what
          FROM ledger_transfers t LEFT JOIN ledger_transfers p ON p.id = t.pending_id
          WHERE (t.flags & ${TF_POST_PENDING | TF_VOID_PENDING}) <> 0 AND (p.id IS NULL OR (p.flags & ${TF_PENDING}) = 0
             OR p.pending_status <> CASE WHEN (t.flags & ${TF_POST_PENDING}) <> 0 THEN 'posted' ELSE 'voided' END
             OR t.debit_account_id <> p.debit_account_id OR t.credit_account_id <> p.credit_account_id OR t.amount > p.amount)
          UNION ALL
          SELECT pending_id || ': closed ' || CAST(COUNT(*) AS TEXT) || ' times' AS what FROM ledger_transfers
          WHERE (flags & ${TF_POST_PENDING | TF_VOID_PENDING}) <> 0 GROUP BY pending_id HAVING COUNT(*) > 1`,
  },
];

async function runCheck(q: SqlExecutor, name: string, sql: string): Promise<AuditCheck> {
  const rows = await q.all(`SELECT what FROM (${sql}) v`);
  return { name, ok: rows.length === 0, violations: rows.length, examples: rows.slice(0, AUDIT_EXAMPLES_MAX).map((r) => String(r['what'])) };
}

/** Debits equal credits, per currency, over all accounts (exact: BigInt on decimal strings). */
async function totals(q: SqlExecutor): Promise<{ totals: CurrencyTotals[]; check: AuditCheck }> {
  const rows = await q.all(
    `SELECT currency, CAST(SUM(debits_posted) AS TEXT) AS dp, CAST(SUM(credits_posted) AS TEXT) AS cp,
            CAST(SUM(debits_pending) AS TEXT) AS dn, CAST(SUM(credits_pending) AS TEXT) AS cn
     FROM ledger_accounts GROUP BY currency ORDER BY currency`,
  );
  const t = rows.map((r) => ({
    currency: String(r['currency']),
    debitsPosted: String(r['dp']),
    creditsPosted: String(r['cp']),
    debitsPending: String(r['dn']),
    creditsPending: String(r['cn']),
  }));
  const bad = t.filter((x) => BigInt(x.debitsPosted) !== BigInt(x.creditsPosted) || BigInt(x.debitsPending) !== BigInt(x.creditsPending));
  const examples = bad.map((x) => `${x.currency}: debits ${x.debitsPosted}+${x.debitsPending} vs credits ${x.creditsPosted}+${x.creditsPending}`);
  return { totals: t, check: { name: 'all debits equal all credits', ok: bad.length === 0, violations: bad.length, examples } };
}

/** Checks the ledger's invariants (and the installed modules' extensions) on committed data. Never writes. */
export async function auditLedger(storage: Storage, extensions: readonly AuditExtension[] = []): Promise<AuditReport> {
  return storage.read(async (q) => {
    const sum = await totals(q);
    const checks = [sum.check];
    for (const c of CHECKS) checks.push(await runCheck(q, c.name, c.sql));
    for (const x of extensions) {
      if (await q.get('SELECT version FROM schema_migrations WHERE module = ? LIMIT 1', [x.module])) checks.push(await x.check(q));
    }
    const n = await q.get('SELECT (SELECT COUNT(*) FROM ledger_accounts) AS a, (SELECT COUNT(*) FROM ledger_transfers) AS t');
    return {
      ok: checks.every((c) => c.ok),
      accounts: Number(n?.['a'] ?? 0),
      transfers: Number(n?.['t'] ?? 0),
      totals: sum.totals,
      checks,
    };
  });
}

/** A human-readable report (the `tessera audit` output). */
export function formatAuditReport(r: AuditReport): string {
  const lines = [`ledger audit: ${r.ok ? 'OK' : 'VIOLATIONS FOUND'} (${r.accounts} accounts, ${r.transfers} transfers)`];
  for (const t of r.totals) {
    lines.push(`  ${t.currency}: debits posted ${t.debitsPosted} = credits posted ${t.creditsPosted}; pending ${t.debitsPending} / ${t.creditsPending}`);
  }
  for (const c of r.checks) {
    lines.push(`  [${c.ok ? 'ok' : 'FAIL'}] ${c.name}${c.ok ? '' : ` (${c.violations})`}`);
    for (const e of c.examples) lines.push(`      ${e}`);
  }
  return lines.join('\n');
}
