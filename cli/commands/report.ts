import type { Command } from 'commander';
import { reportDatabase } from '../../center/emoney/report-target.js';
import { formatEmoneyReport } from '../../center/emoney/reports.js';

/**
 * `tessera report --db <target> [--json]`: the seed-004 settlement report of
 * a center database — settled totals per shop and per bank, the provider's
 * net position at each bank (to reconcile with the banks' statements), the
 * e-money float, charges and batches by state, flagged records.
 */
export function registerReport(program: Command): void {
  program
    .command('report')
    .description("e-money settlement report: per shop and per bank totals, the provider's net position at each bank")
    .requiredOption('--db <target>', 'SQLite file path or postgres:// URL of a center database')
    .option('--json', 'print the report as one JSON object')
    .action(async (opts: { db: string; json?: boolean }) => {
      const report = await reportDatabase(opts.db);
      process.stdout.write(`${opts.json ? JSON.stringify(report) : formatEmoneyReport(report)}\n`);
    });
}
