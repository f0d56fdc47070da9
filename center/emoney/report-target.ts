import { TesseraError } from '../../core/errors.js';
import { openStorage, parseStorageTarget } from '../storage/open.js';
import { emoneyReport, type EmoneyReport } from './reports.js';

/**
 * Opens a center database (SQLite path or postgres:// URL) read-only in
 * effect, builds the e-money settlement report and closes it. Refuses a
 * missing SQLite file and a database without the e-money module rather than
 * creating either.
 */
export async function reportDatabase(target: string): Promise<EmoneyReport> {
  const storage = await openStorage(parseStorageTarget(target, true));
  try {
    const installed = await storage.read((q) => q.get("SELECT version FROM schema_migrations WHERE module = 'emoney' LIMIT 1"));
    if (!installed) throw new TesseraError('CENTER_NO_EMONEY', 'no e-money module in this database');
    return await emoneyReport(storage);
  } finally {
    await storage.close();
  }
}
