import { ADJUSTMENTS_AUDIT } from '../admin/audit-trail.js';
import { EMONEY_AUDIT } from '../emoney/audit-check.js';
import { withInstalledModule } from '../storage/with-module.js';
import { auditLedger, type AuditReport } from './audit.js';

/**
 * Opens a center database (SQLite path or postgres:// URL), audits its
 * ledger (and, where the e-money module is installed, its float against the
 * e-money outstanding; where the admin module is, every operator adjustment
 * with its operator and reason) and closes it. Refuses a SQLite path that does not exist and a
 * database without ledger tables (LEDGER_NOT_INSTALLED) rather than creating them.
 */
export function auditDatabase(target: string): Promise<AuditReport> {
  return withInstalledModule(target, 'ledger', 'LEDGER_NOT_INSTALLED', (storage) => auditLedger(storage, [EMONEY_AUDIT, ADJUSTMENTS_AUDIT]));
}
