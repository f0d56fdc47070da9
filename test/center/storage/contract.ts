/**
 * The storage contract, run against every engine (sqlite.test.ts,
 * postgres.test.ts). Each engine file provides a factory giving a fresh,
 * migrated storage on its own database.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { errorCode } from '../../../core/errors.js';
import type { SqlStorage } from '../../../center/storage/sql-storage.js';
import type { ModuleMigrations } from '../../../center/storage/types.js';
import type { ValidityChange } from '../../../center/validity/records.js';
import { ValidityRepository } from '../../../center/validity/repository.js';

export interface StorageHarness {
  storage: SqlStorage;
  /** Opens a second handle on the same database (a second center node, or a restart). */
  reopen(): Promise<SqlStorage>;
  cleanup(): Promise<void>;
}

const mid = (n: number): string => n.toString(16).padStart(16, '0');
const FAR_MS = 4_102_444_800_000; // 2100-01-01

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    return errorCode(e);
  }
  return 'NO_ERROR';
}

const counterModule: ModuleMigrations = {
  module: 'contract_counter',
  migrations: [
    { version: 1, name: 'counter table', sql: 'CREATE TABLE counters (name TEXT PRIMARY KEY, n BIGINT NOT NULL)' },
    { version: 2, name: 'seed', sql: "INSERT INTO counters (name, n) VALUES ('a', 0); INSERT INTO counters (name, n) VALUES ('b', 0)" },
  ],
};

/** Polls until check passes or the time is up (used for pushes that arrive on another connection). */
async function eventually(check: () => void, timeoutMs = 3_000): Promise<void> {
  const start = Date.now();
  for (;;) {
    try {
      check();
      return;
    } catch (e) {
      if (Date.now() - start > timeoutMs) throw e;
      await new Promise((r) => setTimeout(r, 10));
    }
  }
}

export function storageContract(engine: string, make: () => Promise<StorageHarness>): void {
  describe(`storage contract: ${engine}`, () => {
    let h: StorageHarness;
    /** The validity module's repository over h.storage (its tables, queries and change feed). */
    let v: ValidityRepository;
    beforeEach(async () => {
      h = await make();
      v = await ValidityRepository.open(h.storage);
    });
    afterEach(async () => {
      await h.cleanup();
    });

    describe('migrations', () => {
      it('applies each module version once, in order, and records it', async () => {
        await h.storage.migrate(counterModule);
        await h.storage.migrate(counterModule);
        const rows = await h.storage.read((q) => q.all('SELECT name, n FROM counters ORDER BY name'));
        expect(rows).toEqual([
          { name: 'a', n: 0 },
          { name: 'b', n: 0 },
        ]);
        const applied = await h.storage.read((q) =>
          q.all("SELECT version FROM schema_migrations WHERE module = 'contract_counter' ORDER BY version"),
        );
        expect(applied.map((r) => r['version'])).toEqual([1, 2]);
      });

      it('adds later versions to an existing module without re-running earlier ones', async () => {
        await h.storage.migrate({ module: counterModule.module, migrations: counterModule.migrations.slice(0, 1) });
        await h.storage.migrate(counterModule);
        const n = await h.storage.read((q) => q.get('SELECT COUNT(*) AS n FROM counters'));
        expect(n?.['n']).toBe(2);
      });

      it('rolls a failing migration back entirely and reports STORE_MIGRATION_FAILED', async () => {
        const broken: ModuleMigrations = {
          module: 'contract_broken',
          migrations: [
            { version: 1, name: 'ok', sql: 'CREATE TABLE broken_one (x INTEGER)' },
            { version: 2, name: 'bad', sql: 'CREATE TABLE broken_two (x INTEGER); THIS IS NOT SQL' },
          ],
        };
        expect(await codeOf(h.storage.migrate(broken))).toBe('STORE_MIGRATION_FAILED');
        const applied = await h.storage.read((q) => q.all("SELECT version FROM schema_migrations WHERE module = 'contract_broken'"));
        expect(applied).toEqual([]);
        expect(await codeOf(h.storage.read((q) => q.all('SELECT x FROM broken_one')))).not.toBe('NO_ERROR');
      });
    });

    describe('units of work and group commit', () => {
      beforeEach(async () => {
        await h.storage.migrate(counterModule);
      });

      it('commits units that arrive together in fewer transactions, each caller getting its own result', async () => {
        const before = h.storage.commitStats.batches;
        const results = await Promise.all(
          Array.from({ length: 100 }, (_, i) =>
            h.storage.transact(async (tx) => {
              await tx.run("UPDATE counters SET n = n + 1 WHERE name = 'a'");
              return i;
            }),
          ),
        );
        expect(results).toEqual(Array.from({ length: 100 }, (_, i) => i));
        const batches = h.storage.commitStats.batches - before;
        expect(batches).toBeGreaterThanOrEqual(1);
        expect(batches).toBeLessThan(10);
        const row = await h.storage.read((q) => q.get("SELECT n FROM counters WHERE name = 'a'"));
        expect(row?.['n']).toBe(100);
      });

      it('rolls back a failing unit alone; the rest of its batch commits', async () => {
        const outcomes = await Promise.allSettled([
          h.storage.transact((tx) => tx.run("UPDATE counters SET n = n + 1 WHERE name = 'a'")),
          h.storage.transact(async (tx) => {
            await tx.run("UPDATE counters SET n = n + 100 WHERE name = 'a'");
            await tx.run("UPDATE counters SET n = n + 100 WHERE name = 'b'");
            throw new Error('unit fails after writing');
          }),
          h.storage.transact((tx) => tx.run("UPDATE counters SET n = n + 1 WHERE name = 'b'")),
        ]);
        expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
        const rows = await h.storage.read((q) => q.all('SELECT name, n FROM counters ORDER BY name'));
        expect(rows).toEqual([
          { name: 'a', n: 1 },
          { name: 'b', n: 1 },
        ]);
      });

      it('runs afterCommit hooks only for committed units', async () => {
        const ran: string[] = [];
        await Promise.allSettled([
          h.storage.transact(async (tx) => {
            tx.afterCommit(() => ran.push('good'));
          }),
          h.storage.transact(async (tx) => {
            tx.afterCommit(() => ran.push('bad'));
            throw new Error('no');
          }),
        ]);
        expect(ran).toEqual(['good']);
      });

      it('reads integers as exact safe integers and refuses unsafe ones', async () => {
        await h.storage.transact((tx) => tx.run("INSERT INTO counters (name, n) VALUES ('max', ?)", [Number.MAX_SAFE_INTEGER]));
        const r = await h.storage.read((q) => q.get("SELECT n FROM counters WHERE name = 'max'"));
        expect(r?.['n']).toBe(Number.MAX_SAFE_INTEGER);
        await h.storage.transact((tx) => tx.run("INSERT INTO counters (name, n) VALUES ('big', 9007199254740993)"));
        expect(await codeOf(h.storage.read((q) => q.get("SELECT n FROM counters WHERE name = 'big'")))).toBe('STORE_UNSAFE_INTEGER');
      });

      it('keeps committed data across a reopen', async () => {
        await h.storage.transact((tx) => tx.run("UPDATE counters SET n = 42 WHERE name = 'a'"));
        const other = await h.reopen();
        try {
          const r = await other.read((q) => q.get("SELECT n FROM counters WHERE name = 'a'"));
          expect(r?.['n']).toBe(42);
        } finally {
          await other.close();
        }
      });

      it('refuses work after close with STORE_CLOSED', async () => {
        const s = await h.reopen();
        await s.close();
        expect(await codeOf(s.transact(async () => 1))).toBe('STORE_CLOSED');
        expect(await codeOf(new ValidityRepository(s).getValidityVersion())).toBe('STORE_CLOSED');
      });
    });

    describe('notification channels', () => {
      it('delivers a committed notify to the channel\'s subscribers once listening, nothing on rollback or after unsubscribe', async () => {
        const seen: (string | null)[] = [];
        const other: string[] = [];
        const unsubscribe = await h.storage.subscribe('contract_ch', (p) => seen.push(p));
        await h.storage.subscribe('contract_other', (p) => other.push(p ?? 'null'));
        await h.storage.transact((tx) => h.storage.notify(tx, 'contract_ch', 'one'));
        await codeOf(h.storage.transact(async (tx) => {
          await h.storage.notify(tx, 'contract_ch', 'rolled-back');
          throw new Error('roll back');
        }));
        await eventually(() => expect(seen).toContain('one'));
        expect(seen).not.toContain('rolled-back');
        expect(seen.every((p) => p === 'one')).toBe(true);
        expect(other).toEqual([]);
        unsubscribe();
        await h.storage.transact((tx) => h.storage.notify(tx, 'contract_ch', 'two'));
        await new Promise((r) => setTimeout(r, 50));
        expect(seen).not.toContain('two');
        expect(await codeOf(h.storage.subscribe('Bad Channel', () => undefined))).toBe('STORE_INVALID_INPUT');
      });
    });

    describe('validity data', () => {
      it('adds, reads, blocks, unblocks and captures media, bumping the version once per change', async () => {
        expect(await v.getValidityVersion()).toBe(0);
        const v1 = await v.addMedia([
          { id: mid(1), expiresAtMs: FAR_MS },
          { id: mid(2), expiresAtMs: 1_000, status: 'expired' },
        ]);
        expect(v1).toBe(1);
        expect(await v.getMedium(mid(1))).toEqual({ id: mid(1), kind: 'ic-card', status: 'active', expiresAtMs: FAR_MS, version: 1 });
        expect((await v.getMedium(mid(2)))?.status).toBe('expired');
        expect(await v.getMedium(mid(3))).toBeUndefined();
        expect(await v.blockMedium(mid(1), 'stolen')).toBe(2);
        expect(await v.getMedium(mid(1))).toMatchObject({ status: 'stolen', version: 2 });
        expect(await v.unblockMedium(mid(1))).toBe(3);
        expect(await v.captureMedium(mid(1))).toBe(4);
        expect((await v.getMedium(mid(1)))?.status).toBe('captured');
        expect(await v.getValidityVersion()).toBe(4);
        expect(await v.countMedia()).toBe(2);
      });

      it('adds, reads, blocks and unblocks terminals', async () => {
        await v.addTerminals([
          { id: 'KIOSK-1', ownerKind: 'store', ownerId: 'store-17', keyRef: 'tk/KIOSK-1/1', callbackAddress: 'tcp://10.0.0.5:7000' },
          { id: 'PC-9', ownerKind: 'user', ownerId: 'user-3', keyRef: 'tk/PC-9/1' },
        ]);
        expect(await v.getTerminal('KIOSK-1')).toEqual({
          id: 'KIOSK-1',
          ownerKind: 'store',
          ownerId: 'store-17',
          status: 'active',
          keyRef: 'tk/KIOSK-1/1',
          callbackAddress: 'tcp://10.0.0.5:7000',
          version: 1,
        });
        expect((await v.getTerminal('PC-9'))?.callbackAddress).toBeNull();
        await v.blockTerminal('PC-9');
        expect((await v.getTerminal('PC-9'))?.status).toBe('blocked');
        await v.unblockTerminal('PC-9');
        await v.setTerminalStatus('KIOSK-1', 'inactive');
        expect((await v.getTerminal('PC-9'))?.status).toBe('active');
        expect((await v.getTerminal('KIOSK-1'))?.status).toBe('inactive');
        expect(await v.countTerminals()).toBe(2);
        expect(await v.getValidityVersion()).toBe(4);
      });

      it('answers bad input, unknown ids and duplicates with coded errors and changes nothing', async () => {
        await v.addMedia([{ id: mid(1), expiresAtMs: FAR_MS }]);
        expect(await codeOf(v.addMedia([{ id: 'XYZ', expiresAtMs: 1 }]))).toBe('STORE_INVALID_INPUT');
        expect(await codeOf(v.addMedia([{ id: mid(5), expiresAtMs: -1 }]))).toBe('STORE_INVALID_INPUT');
        expect(await codeOf(v.addMedia([]))).toBe('STORE_INVALID_INPUT');
        expect(await codeOf(v.addMedia([{ id: mid(7), expiresAtMs: 1 }, { id: mid(1), expiresAtMs: 1 }]))).toBe('STORE_DUPLICATE');
        expect(await codeOf(v.addMedia([{ id: mid(8), expiresAtMs: 1 }, { id: mid(8), expiresAtMs: 1 }]))).toBe('STORE_DUPLICATE');
        expect(await codeOf(v.blockMedium(mid(9), 'lost'))).toBe('STORE_NOT_FOUND');
        expect(await codeOf(v.blockMedium(mid(1), 'captured' as 'lost'))).toBe('STORE_INVALID_INPUT');
        expect(await codeOf(v.getMedium('not-hex'))).toBe('STORE_INVALID_INPUT');
        expect(await codeOf(v.blockTerminal('lower-case'))).toBe('STORE_INVALID_INPUT');
        expect(await codeOf(v.unblockTerminal('NOPE'))).toBe('STORE_NOT_FOUND');
        expect(
          await codeOf(v.addTerminals([{ id: 'T1', ownerKind: 'shop' as 'store', ownerId: 's', keyRef: 'k' }])),
        ).toBe('STORE_INVALID_INPUT');
        expect(await codeOf(v.listMedia(null, 0))).toBe('STORE_INVALID_INPUT');
        expect(await v.getMedium(mid(7))).toBeUndefined();
        expect(await v.getValidityVersion()).toBe(1);
      });

      it('pages through all media in id order and serves the change feed in (version, id) order', async () => {
        const ids = Array.from({ length: 2_500 }, (_, i) => mid(i * 7919 + 1));
        await v.addMedia(ids.slice(0, 1_500).map((id) => ({ id, expiresAtMs: FAR_MS })));
        await v.addMedia(ids.slice(1_500).map((id) => ({ id, expiresAtMs: FAR_MS })));
        const seen: string[] = [];
        let after: string | null = null;
        for (let page = 0; page < 10; page++) {
          const rows = await v.listMedia(after, 1_000);
          if (rows.length === 0) break;
          seen.push(...rows.map((r) => r.id));
          after = rows[rows.length - 1]!.id;
        }
        expect(seen).toEqual([...ids].sort());
        await v.blockMedium(ids[3]!, 'lost');
        const changed = await v.listMediaChangedSince({ version: 1, id: null }, 10_000);
        expect(changed).toHaveLength(1_001);
        expect(changed.slice(0, 1_000).every((m) => m.version === 2)).toBe(true);
        expect(changed[1_000]).toMatchObject({ id: ids[3], status: 'lost', version: 3 });
        const tail = await v.listMediaChangedSince({ version: 2, id: changed[998]!.id }, 10);
        expect(tail.map((m) => m.id)).toEqual([changed[999]!.id, ids[3]]);
      });

      it('pages terminals and their change feed', async () => {
        await v.addTerminals(
          Array.from({ length: 30 }, (_, i) => ({ id: `T-${String(i).padStart(3, '0')}`, ownerKind: 'store' as const, ownerId: 's1', keyRef: `k${i}` })),
        );
        const first = await v.listTerminals(null, 20);
        const second = await v.listTerminals(first[19]!.id, 20);
        expect([...first, ...second].map((t) => t.id)).toEqual(Array.from({ length: 30 }, (_, i) => `T-${String(i).padStart(3, '0')}`));
        await v.blockTerminal('T-007');
        expect((await v.listTerminalsChangedSince({ version: 1, id: null }, 10)).map((t) => t.id)).toEqual(['T-007']);
      });

      it('keeps media of several kinds behind one version: a registered kind is added, listed by kind, blocked like a card', async () => {
        v.kinds.register({ name: 'voucher', isId: (id) => /^V[0-9]{8}$/.test(id) });
        expect(await codeOf(v.addMedia([{ id: 'V00000001', expiresAtMs: FAR_MS }]))).toBe('STORE_INVALID_INPUT'); // no kind: an IC card id is expected
        expect(await codeOf(v.addMedia([{ id: mid(9), kind: 'voucher', expiresAtMs: FAR_MS }]))).toBe('STORE_INVALID_INPUT');
        expect(await codeOf(v.addMedia([{ id: 'V00000001', kind: 'prepaid', expiresAtMs: FAR_MS }]))).toBe('STORE_INVALID_INPUT'); // unregistered kind
        await v.addMedia([{ id: mid(1), expiresAtMs: FAR_MS }, { id: 'V00000001', kind: 'voucher', expiresAtMs: FAR_MS }]);
        expect(await v.getMedium('V00000001')).toMatchObject({ kind: 'voucher', status: 'active', version: 1 });
        expect((await v.listMedia(null, 10, 'ic-card')).map((m) => m.id)).toEqual([mid(1)]);
        expect((await v.listMedia(null, 10)).map((m) => m.kind)).toEqual(['ic-card', 'voucher']);
        expect(await v.countMedia('voucher')).toBe(1);
        expect(await v.blockMedium('V00000001', 'stolen')).toBe(2);
        expect((await v.listMediaChangedSince({ version: 1, id: null }, 10, 'voucher')).map((m) => [m.id, m.status])).toEqual([['V00000001', 'stolen']]);
        expect(await v.listMediaChangedSince({ version: 1, id: null }, 10, 'ic-card')).toEqual([]);
      });

      it('a lock on a terminal row for another module\'s unit of work says whether the terminal is registered', async () => {
        await v.addTerminals([{ id: 'T-LOCK', ownerKind: 'store', ownerId: 's', keyRef: 'k' }]);
        expect(await h.storage.transact((tx) => v.lockTerminal(tx, 'T-LOCK'))).toBe(true);
        expect(await h.storage.transact((tx) => v.lockTerminal(tx, 'T-NONE'))).toBe(false);
      });

      it('pushes each committed validity change to subscribers, and nothing for a failed one', async () => {
        const seen: ValidityChange[] = [];
        const unsubscribe = await v.subscribeValidity((c) => seen.push(c));
        await v.addMedia([{ id: mid(1), expiresAtMs: FAR_MS }]);
        await codeOf(v.blockMedium(mid(2), 'lost'));
        await v.blockMedium(mid(1), 'lost');
        await eventually(() => expect(seen.some((c) => c.version === 2)).toBe(true));
        expect(seen.every((c) => !c.fullReload)).toBe(true);
        expect(new Set(seen.map((c) => c.version))).toEqual(new Set([1, 2]));
        unsubscribe();
        await v.unblockMedium(mid(1));
        await new Promise((r) => setTimeout(r, 50));
        expect(seen.some((c) => c.version === 3)).toBe(false);
      });
    });
  });
}
