import { ADJUSTMENTS_AUDIT } from '../admin/audit-trail.js';
import { withInstalledModule } from '../storage/with-module.js';
import { auditLedger, type AuditExtension, type AuditReport } from './audit.js';

/**
 * Opens a center database (SQLite path or postgres:// URL), audits its
 * ledger (and runs each given module check where that module is installed,
 * e.g. the e-money float against the e-money outstanding: the CLI passes the
 * checks of center/modules.ts; and always every operator adjustment with its operator and reason) and closes it. Refuses a SQLite path that does not exist and a
 * database without ledger tables (LEDGER_NOT_INSTALLED) rather than creating them.
 */
export function auditDatabase(target: string, extensions: readonly AuditExtension[] = []): Promise<AuditReport> {
  return withInstalledModule(target, 'ledger', 'LEDGER_NOT_INSTALLED', (storage) => auditLedger(storage, [...extensions, ADJUSTMENTS_AUDIT]));
}
