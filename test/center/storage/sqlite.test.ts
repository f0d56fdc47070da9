import Database from 'better-sqlite3';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStorage } from '../../../center/storage/open.js';
import { SqliteStorage } from '../../../center/storage/sqlite.js';
import { storageContract } from './contract.js';
import { ValidityRepository } from '../../../center/validity/repository.js';
import { validityMigrations } from '../../../center/validity/schema.js';

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
  it('a database from before media kinds: opening the validity repository migrates it, every existing medium an IC card', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-store-'));
    const s = await openSqlite(join(dir, 'old.db'));
    try {
      await s.migrate({ module: 'validity', migrations: validityMigrations.migrations.filter((m) => m.version === 1) });
      await s.transact((tx) => tx.run("INSERT INTO media (id, status, expires_at_ms, version) VALUES ('00000000000000a1', 'lost', 1, 0)"));
      const v = await ValidityRepository.open(s);
      expect(await v.getMedium('00000000000000a1')).toEqual({ id: '00000000000000a1', kind: 'ic-card', status: 'lost', expiresAtMs: 1, version: 0 });
      expect((await s.read((q) => q.all("SELECT version FROM schema_migrations WHERE module = 'validity' ORDER BY version"))).map((r) => r['version'])).toEqual([1, 2]);
    } finally {
      await s.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

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

  it('changeStamp: unchanged while nothing is committed; changes on a commit of its own writer and of another connection to the file; none for :memory:', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-store-'));
    const s = await openSqlite(join(dir, 'c.db'));
    const other = await openSqlite(join(dir, 'c.db'));
    try {
      await s.transact((tx) => tx.exec('CREATE TABLE t (a INTEGER)'));
      const s0 = s.changeStamp();
      expect(s0).toBeTypeOf('number');
      await s.read((q) => q.all('SELECT a FROM t'));
      expect(s.changeStamp()).toBe(s0);
      await s.transact((tx) => tx.run('INSERT INTO t (a) VALUES (1)'));
      const s1 = s.changeStamp();
      expect(s1).not.toBe(s0);
      expect(s.changeStamp()).toBe(s1);
      await other.transact((tx) => tx.run('INSERT INTO t (a) VALUES (2)'));
      expect(s.changeStamp()).not.toBe(s1);
      const mem = await openSqlite(':memory:');
      expect(mem.changeStamp()).toBeUndefined();
      await mem.close();
    } finally {
      await other.close();
      await s.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('changeStamp: a commit of this process moves the stamp at once, even in the loop turn that already read data_version; another process\'s commit is seen from the next turn', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-store-'));
    const path = join(dir, 'c.db');
    const s = await openSqlite(path);
    try {
      await s.transact((tx) => tx.exec('CREATE TABLE t (a INTEGER)'));
      // Inside the unit the turn's data_version is read before the commit; after the commit, in the same turn, the stamp has moved.
      let inside: number | undefined;
      await s.transact(async (tx) => {
        inside = s.changeStamp();
        await tx.run('INSERT INTO t (a) VALUES (1)');
      });
      expect(inside).toBeTypeOf('number');
      expect(s.changeStamp()).not.toBe(inside);
      // Another connection (as another process would) commits synchronously within one turn: seen from the next turn on.
      await new Promise((r) => setImmediate(r));
      const before = s.changeStamp();
      const tool = new Database(path);
      tool.prepare('INSERT INTO t (a) VALUES (2)').run();
      tool.close();
      expect(s.changeStamp()).toBe(before);
      await new Promise((r) => setImmediate(r));
      expect(s.changeStamp()).not.toBe(before);
    } finally {
      await s.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('secure_delete: a text set NULL is not left readable in the database file (a delivered password must not be recoverable from a copy)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-store-'));
    const path = join(dir, 'c.db');
    const s = await openSqlite(path);
    try {
      const secret = 'W7WQ-K8PW-80YQ-Z6NF-LIVE-CODE';
      // The shape of a delivery row: the message text mid-record, set NULL with the final state.
      await s.transact((tx) => tx.exec('CREATE TABLE m (id INTEGER PRIMARY KEY, state TEXT, text TEXT, done INTEGER)'));
      await s.transact(async (tx) => {
        for (let i = 2; i < 10; i += 1) await tx.run('INSERT INTO m (id, state, text, done) VALUES (?, ?, ?, NULL)', [i, 'queued', `other ${i}`]);
        await tx.run('INSERT INTO m (id, state, text, done) VALUES (1, ?, ?, NULL)', ['queued', `Tessera settlement password ${secret} token:TPW1:ABCDEF`.padEnd(180, 'Q')]);
      });
      await s.transact((tx) => tx.run('UPDATE m SET state = ?, text = NULL, done = ? WHERE id = 1', ['delivered', 1_796_171_357_706]));
      await s.close();
      // Closing checkpoints the WAL into the file: the old cell's bytes are gone from it.
      expect(readFileSync(path).includes(secret)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
