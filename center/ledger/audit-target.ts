import { TesseraError } from '../../core/errors.js';
import { openStorage, parseStorageTarget } from '../storage/open.js';
import { auditLedger, type AuditReport } from './audit.js';

/**
 * Opens a center database (SQLite path or postgres:// URL), audits its
 * ledger and closes it. Refuses a SQLite path that does not exist and a
 * database without ledger tables rather than creating them.
 */
export async function auditDatabase(target: string): Promise<AuditReport> {
  const storage = await openStorage(parseStorageTarget(target, true));
  try {
    const installed = await storage.read((q) => q.get("SELECT version FROM schema_migrations WHERE module = 'ledger' LIMIT 1"));
    if (!installed) throw new TesseraError('LEDGER_NOT_INSTALLED', 'no ledger in this database');
    return await auditLedger(storage);
  } finally {
    await storage.close();
  }
}
