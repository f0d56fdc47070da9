import { TesseraError } from '../../core/errors.js';
import { openStorage, parseStorageTarget } from './open.js';
import type { Storage } from './types.js';

/**
 * For operator tools (`tessera audit`, `tessera report`): opens an existing
 * center database (SQLite path or postgres:// URL), checks that `module`'s
 * migrations ran there — never creating a file or tables — runs `fn` and
 * closes it. A database without the module is `missingCode`.
 */
export async function withInstalledModule<T>(target: string, module: string, missingCode: string, fn: (storage: Storage) => Promise<T>): Promise<T> {
  // quick_check first: a damaged file must not be reported on as if it were fine; read-only is fine for a report.
  const storage = await openStorage(parseStorageTarget(target, true), { quickCheck: true, requireWritable: false });
  try {
    const installed = await storage.read((q) => q.get('SELECT version FROM schema_migrations WHERE module = ? LIMIT 1', [module]));
    if (!installed) throw new TesseraError(missingCode, `no ${module} module in this database`);
    return await fn(storage);
  } finally {
    await storage.close();
  }
}
