import { existsSync } from 'node:fs';
import { systemClock, type Clock } from '../../core/clock.js';
import { TesseraError } from '../../core/errors.js';
import { silentLogger, type Logger } from '../../core/log.js';
import { PostgresStorage } from './postgres.js';
import { SqliteStorage } from './sqlite.js';
import type { StorageOptions } from './types.js';
import { validityMigrations } from './validity-schema.js';

export interface OpenStorageDeps {
  readonly clock?: Clock;
  readonly log?: Logger;
}

/**
 * Reads a database target: a postgres:// or postgresql:// URL, or a SQLite
 * file path (optionally prefixed `sqlite:`). `mustExist` refuses a SQLite path
 * that is not there (audit must not create an empty database).
 */
export function parseStorageTarget(target: string, mustExist = false): StorageOptions {
  if (/^postgres(ql)?:\/\//.test(target)) return { engine: 'postgres', url: target };
  const path = target.startsWith('sqlite:') ? target.slice('sqlite:'.length) : target;
  if (path.length === 0) throw new TesseraError('STORE_BAD_TARGET', 'empty database path');
  if (mustExist && path !== ':memory:' && !existsSync(path)) {
    throw new TesseraError('STORE_BAD_TARGET', 'SQLite file does not exist', { path });
  }
  return { engine: 'sqlite', path };
}

/** Opens storage on either engine and applies the storage module's own migrations (validity data). */
export async function openStorage(target: string | StorageOptions, deps: OpenStorageDeps = {}): Promise<SqliteStorage | PostgresStorage> {
  const opts = typeof target === 'string' ? parseStorageTarget(target) : target;
  const d = { clock: deps.clock ?? systemClock, log: deps.log ?? silentLogger };
  const storage = opts.engine === 'sqlite' ? new SqliteStorage(opts.path, d) : new PostgresStorage(opts.url, d, opts.poolMax);
  try {
    await storage.migrate(validityMigrations);
  } catch (e) {
    await storage.close().catch(() => undefined);
    throw e;
  }
  return storage;
}
