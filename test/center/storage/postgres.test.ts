import { describe, expect, it } from 'vitest';
import { openStorage } from '../../../center/storage/open.js';
import { PostgresStorage } from '../../../center/storage/postgres.js';
import type { ValidityChange } from '../../../center/validity/records.js';
import { ValidityRepository } from '../../../center/validity/repository.js';
import { adminQuery, createTestDatabase } from '../../support/postgres.js';
import { storageContract } from './contract.js';

async function openPg(url: string): Promise<PostgresStorage> {
  const s = await openStorage({ engine: 'postgres', url });
  if (!(s instanceof PostgresStorage)) throw new Error('expected PostgreSQL');
  return s;
}

/** Two nodes on one database, each with the validity module's repository (va, vb) over its storage. */
async function twoNodes(): Promise<{ a: PostgresStorage; b: PostgresStorage; va: ValidityRepository; vb: ValidityRepository; done: () => Promise<void> }> {
  const db = await createTestDatabase('pg_nodes');
  const a = await openPg(db.url);
  const b = await openPg(db.url);
  return {
    a,
    b,
    va: await ValidityRepository.open(a),
    vb: await ValidityRepository.open(b),
    done: async () => {
      await a.close();
      await b.close();
      await db.drop();
    },
  };
}

async function waitFor(check: () => boolean, timeoutMs: number): Promise<number> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
  return Date.now() - start;
}

storageContract('postgres', async () => {
  const db = await createTestDatabase('contract');
  const storage = await openPg(db.url);
  const extra: PostgresStorage[] = [];
  return {
    storage,
    reopen: async () => {
      const s = await openPg(db.url);
      extra.push(s);
      return s;
    },
    cleanup: async () => {
      for (const s of [storage, ...extra]) await s.close();
      await db.drop();
    },
  };
});

describe('postgres engine: several center nodes', () => {
  it('pushes a block committed on one node to another node within one second (LISTEN/NOTIFY)', async () => {
    const { a, b, va, vb, done } = await twoNodes();
    try {
      const seen: ValidityChange[] = [];
      await vb.subscribeValidity((c) => seen.push(c));
      await va.addMedia([{ id: '00000000000000aa', expiresAtMs: 4_102_444_800_000 }]);
      const v = await va.blockMedium('00000000000000aa', 'stolen');
      const ms = await waitFor(() => seen.some((c) => c.version === v), 1_000);
      expect(ms).toBeLessThan(1_000);
      expect((await vb.getMedium('00000000000000aa'))?.status).toBe('stolen');
    } finally {
      await done();
    }
  });

  it('reconnects a lost LISTEN connection and signals a full reload', async () => {
    const { a, b, va, vb, done } = await twoNodes();
    try {
      const seen: ValidityChange[] = [];
      await vb.subscribeValidity((c) => seen.push(c));
      const pid = b.listenPid();
      expect(pid).toBeGreaterThan(0);
      await va.addMedia([{ id: '00000000000000bb', expiresAtMs: 1 }]);
      await adminQuery('SELECT pg_terminate_backend($1)', [pid]);
      // Committed while B is not listening: only the full reload can tell B about it.
      await va.blockMedium('00000000000000bb', 'lost');
      await waitFor(() => seen.some((c) => c.fullReload), 5_000);
      const reload = seen.find((c) => c.fullReload)!;
      expect(reload.version).toBeGreaterThanOrEqual(1);
      expect(b.listenPid()).not.toBe(pid);
      const v = await va.unblockMedium('00000000000000bb');
      await waitFor(() => seen.some((c) => c.version === v && !c.fullReload), 2_000);
    } finally {
      await done();
    }
  });

  it('lets two nodes race to add the same medium: one wins, the other gets STORE_DUPLICATE', async () => {
    const { a, b, va, vb, done } = await twoNodes();
    try {
      const results = await Promise.allSettled([
        va.addMedia([{ id: '00000000000000cc', expiresAtMs: 1 }]),
        vb.addMedia([{ id: '00000000000000cc', expiresAtMs: 1 }]),
      ]);
      const codes = results.map((r) => (r.status === 'fulfilled' ? 'ok' : (r.reason as { code: string }).code)).sort();
      expect(codes).toEqual(['STORE_DUPLICATE', 'ok']);
      expect(await va.countMedia()).toBe(1);
      expect(await va.getValidityVersion()).toBe(1);
    } finally {
      await done();
    }
  });

  it('serializes concurrent migrations from several nodes', async () => {
    const db = await createTestDatabase('pg_migrate');
    const nodes = await Promise.all([openPg(db.url), openPg(db.url), openPg(db.url)]);
    try {
      const mod = { module: 'race', migrations: [{ version: 1, name: 't', sql: 'CREATE TABLE race_t (x INTEGER)' }] };
      await Promise.all(nodes.map((n) => n.migrate(mod)));
      const r = await nodes[0]!.read((q) => q.get("SELECT COUNT(*) AS n FROM schema_migrations WHERE module = 'race'"));
      expect(r?.['n']).toBe(1);
    } finally {
      for (const n of nodes) await n.close();
      await db.drop();
    }
  });
});
