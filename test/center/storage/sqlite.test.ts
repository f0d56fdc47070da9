import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStorage } from '../../../center/storage/open.js';
import { SqliteStorage } from '../../../center/storage/sqlite.js';
import { storageContract } from './contract.js';

async function openSqlite(path: string): Promise<SqliteStorage> {
  const s = await openStorage({ engine: 'sqlite', path });
  if (!(s instanceof SqliteStorage)) throw new Error('expected SQLite');
  return s;
}

storageContract('sqlite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-store-'));
  const path = join(dir, 'center.db');
  const storage = await openSqlite(path);
  const extra: SqliteStorage[] = [];
  return {
    storage,
    reopen: async () => {
      const s = await openSqlite(path);
      extra.push(s);
      return s;
    },
    cleanup: async () => {
      for (const s of [storage, ...extra]) await s.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

describe('sqlite engine', () => {
  it('runs in WAL mode with synchronous=FULL and a busy timeout', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-store-'));
    const s = await openSqlite(join(dir, 'c.db'));
    try {
      expect(s.pragmas()).toEqual({ journalMode: 'wal', synchronous: 2, busyTimeoutMs: 5_000 });
    } finally {
      await s.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
