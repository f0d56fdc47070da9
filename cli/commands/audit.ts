import type { Command } from 'commander';
import { auditDatabase } from '../../center/ledger/audit-target.js';
import { formatAuditReport } from '../../center/ledger/audit.js';
import { CENTER_MODULES } from '../../center/modules.js';
import { auditChecksOf } from '../../center/server/module.js';

/** Exit code when the audit ran and found a violation (1 is an error, 2 a bad argument). */
export const AUDIT_VIOLATION_EXIT_CODE = 3;

export function registerAudit(program: Command): void {
  program
    .command('audit')
    .description('check the ledger invariants of a center database (debits = credits, no flagged account negative, accounts exist, balances = transfers; e-money float = issued - settled)')
    .requiredOption('--db <target>', 'SQLite file path or postgres:// URL')
    .option('--json', 'print the report as one JSON object')
    .action(async (opts: { db: string; json?: boolean }) => {
      const report = await auditDatabase(opts.db, auditChecksOf(CENTER_MODULES));
      process.stdout.write(`${opts.json ? JSON.stringify(report) : formatAuditReport(report)}\n`);
      if (!report.ok) process.exitCode = AUDIT_VIOLATION_EXIT_CODE;
    });
}
