import { withInstalledModule } from '../storage/with-module.js';
import { auditLedger, type AuditReport } from './audit.js';

/**
 * Opens a center database (SQLite path or postgres:// URL), audits its
 * ledger and closes it. Refuses a SQLite path that does not exist and a
 * database without ledger tables (LEDGER_NOT_INSTALLED) rather than creating them.
 */
export function auditDatabase(target: string): Promise<AuditReport> {
  return withInstalledModule(target, 'ledger', 'LEDGER_NOT_INSTALLED', auditLedger);
}
