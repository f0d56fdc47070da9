import { existsSync } from 'node:fs';
import { systemClock, type Clock } from '../../core/clock.js';
import { errorCode, TesseraError } from '../../core/errors.js';
import { createPrivateFile } from '../../core/files.js';
import { silentLogger, type Logger } from '../../core/log.js';
import { PostgresStorage } from './postgres.js';
import { SqliteStorage } from './sqlite.js';
import type { Storage, StorageOptions } from './types.js';

export interface OpenStorageDeps {
  readonly clock?: Clock;
  readonly log?: Logger;
  /** Run `PRAGMA quick_check` (SQLite) before anything else and refuse a damaged file (operator tools). */
  readonly quickCheck?: boolean;
  /** Refuse a database this process cannot write (STORE_READ_ONLY); default true. */
  readonly requireWritable?: boolean;
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

/**
 * Opens storage on either engine (each module applies its own migrations
 * when it opens: center/server/module.ts). A SQLite file is created mode 0600 whatever the
 * umask (it holds PIN hashes). Failures to open are coded with the path:
 * STORE_CANNOT_OPEN, STORE_CORRUPT, STORE_READ_ONLY.
 */
export async function openStorage(target: string | StorageOptions, deps: OpenStorageDeps = {}): Promise<SqliteStorage | PostgresStorage> {
  const opts = typeof target === 'string' ? parseStorageTarget(target) : target;
  const where = opts.engine === 'sqlite' ? { path: opts.path } : { engine: 'postgres' };
  const d = { clock: deps.clock ?? systemClock, log: deps.log ?? silentLogger };
  let storage: SqliteStorage | PostgresStorage;
  try {
    if (opts.engine === 'sqlite') createPrivateFile(opts.path);
    storage = opts.engine === 'sqlite' ? new SqliteStorage(opts.path, d) : new PostgresStorage(opts.url, d, opts.poolMax);
  } catch (e) {
    throw openError(e, where);
  }
  try {
    if (deps.quickCheck) await quickCheck(storage, where);
    if (deps.requireWritable ?? true) await checkWritable(storage, where);
  } catch (e) {
    await storage.close().catch(() => undefined);
    throw openError(e, where);
  }
  return storage;
}

/** Throws STORE_READ_ONLY when a write cannot be made now (the probe writes nothing: its unit is rolled back). */
export async function checkWritable(storage: Storage, where: Record<string, unknown> = {}): Promise<void> {
  const probeDone = new Error('write probe done');
  try {
    await storage.transact(async (tx) => {
      if (tx.engine === 'sqlite') {
        const row = await tx.get<{ user_version: number }>('PRAGMA user_version');
        await tx.run(`PRAGMA user_version = ${Number(row?.user_version ?? 0)}`);
      } else {
        const row = await tx.get<{ ro: string }>("SELECT current_setting('transaction_read_only') AS ro");
        if (row?.ro === 'on') throw new TesseraError('STORE_READ_ONLY', 'the PostgreSQL server is read-only (a standby?)', where);
      }
      throw probeDone;
    });
  } catch (e) {
    if (e === probeDone) return;
    throw openError(e, where);
  }
}

/** SQLite: PRAGMA quick_check must answer `ok`; PostgreSQL has no file to check. */
async function quickCheck(storage: Storage, where: Record<string, unknown>): Promise<void> {
  if (storage.engine !== 'sqlite') return;
  const rows = await storage.read((q) => q.all<{ quick_check: string }>('PRAGMA quick_check(5)'));
  const problems = rows.map((r) => String(r.quick_check)).filter((t) => t !== 'ok');
  if (problems.length > 0) throw new TesseraError('STORE_CORRUPT', 'the database failed PRAGMA quick_check', { ...where, problems });
}

/** A driver error while opening, as a coded error naming the database. */
function openError(e: unknown, where: Record<string, unknown>): unknown {
  if (e instanceof TesseraError) return e;
  const code = errorCode(e);
  const cause = { cause: e };
  if (code === 'SQLITE_CORRUPT' || code === 'SQLITE_NOTADB') return new TesseraError('STORE_CORRUPT', 'the file is not a SQLite database or is damaged', where, cause);
  if (code.startsWith('SQLITE_READONLY')) return new TesseraError('STORE_READ_ONLY', 'the database cannot be written by this process', where, cause);
  if (code.startsWith('SQLITE_CANTOPEN') || code.startsWith('SQLITE_PERM') || code.startsWith('E') || /cannot open database/i.test(String(e))) {
    return new TesseraError('STORE_CANNOT_OPEN', 'cannot open the database', where, cause);
  }
  return e;
}

