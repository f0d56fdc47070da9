import type { Command } from 'commander';

/** Exit code when the audit ran and found a violation (1 is an error, 2 a bad argument). */
export const AUDIT_VIOLATION_EXIT_CODE = 3;

export function registerAudit(program: Command): void {
  program
    .command('audit')
    .description('check the ledger invariants of a center database (debits = credits, no flagged account negative, accounts exist, balances = transfers; e-money float = issued - settled)')
    .requiredOption('--db <target>', 'SQLite file path or postgres:// URL')
    .option('--json', 'print the report as one JSON object')
    .action(async (opts: { db: string; json?: boolean }) => {
      // The center's code is loaded when this command runs, not when any tessera command starts.
      const [{ auditDatabase }, { formatAuditReport }, { CENTER_MODULES }, { auditChecksOf }] = await Promise.all([
        import('../../center/ledger/audit-target.js'),
        import('../../center/ledger/audit.js'),
        import('../../center/modules.js'),
        import('../../center/server/module.js'),
      ]);
      const report = await auditDatabase(opts.db, auditChecksOf(CENTER_MODULES));
      process.stdout.write(`${opts.json ? JSON.stringify(report) : formatAuditReport(report)}\n`);
      if (!report.ok) process.exitCode = AUDIT_VIOLATION_EXIT_CODE;
    });
}
