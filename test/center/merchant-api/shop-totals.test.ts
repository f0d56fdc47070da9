/**
 * The shops' control totals and change counters (center/merchant-api/
 * shop-totals.ts) are kept by triggers on emoney_batches in the writing
 * transaction, on a real SQLite file and on PostgreSQL: after any mix of
 * inserts, state and total changes, moves between shops and deletes they
 * equal the totals counted from the batches; a write that rolls back leaves
 * them as they were; totals that missed changes (no triggers) are made right
 * at the next start.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emoneyMigrations } from '../../../center/emoney/schema.js';
import { ensureShopIndex, EmoneyPresence } from '../../../center/merchant-api/settlements.js';
import { shopControlTotals, shopVersion } from '../../../center/merchant-api/shop-totals.js';
import { openStorage } from '../../../center/storage/open.js';
import type { Storage } from '../../../center/storage/types.js';
import { createTestDatabase, type TestDatabase } from '../../support/postgres.js';
import { addBatch, hexId } from './support.js';

const SHOPS = ['SHOP-A', 'SHOP-B', 'SHOP-C'];
const STATES = ['awaiting_callback', 'instructed', 'acked', 'settled', 'pay_failed', 'abandoned'];
const CURRENCIES = ['JPY', 'EUR'];

/** (shop, currency, state) → [count, sum] counted from the batches. */
async function counted(s: Storage): Promise<Record<string, [number, number]>> {
  const rows = await s.read((q) => q.all('SELECT shop_id, currency, state, COUNT(*) AS n, SUM(total) AS s FROM emoney_batches GROUP BY shop_id, currency, state'));
  return Object.fromEntries(rows.map((r) => [`${String(r['shop_id'])}/${String(r['currency'])}/${String(r['state'])}`, [Number(r['n']), Number(r['s'])]]));
}

async function maintained(s: Storage): Promise<Record<string, [number, number]>> {
  const rows = await s.read((q) => q.all('SELECT shop_id, currency, state, n, s FROM merchant_batch_totals WHERE n <> 0'));
  return Object.fromEntries(rows.map((r) => [`${String(r['shop_id'])}/${String(r['currency'])}/${String(r['state'])}`, [Number(r['n']), Number(r['s'])]]));
}

/** A deterministic mix of writes as the e-money module and tools make them. */
async function churn(s: Storage, seed: number, steps: number): Promise<void> {
  let x = seed;
  const rnd = (n: number): number => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return x % n;
  };
  let next = 1;
  const ids: string[] = [];
  for (let i = 0; i < steps; i++) {
    const op = ids.length === 0 ? 0 : rnd(5);
    if (op === 0) {
      const id = hexId(seed * 1000 + next++);
      await addBatch(s, { id, shopId: SHOPS[rnd(3)]!, state: STATES[rnd(6)]!, createdMs: next, records: [{ amountMinor: 1 + rnd(900), accepted: true }] });
      ids.push(id);
      continue;
    }
    const id = ids[rnd(ids.length)]!;
    await s.transact(async (tx) => {
      if (op === 1) await tx.run('UPDATE emoney_batches SET state = ?, updated_ms = ? WHERE id = ?', [STATES[rnd(6)]!, i, id]);
      else if (op === 2) await tx.run('UPDATE emoney_batches SET total = ?, currency = ? WHERE id = ?', [rnd(5000), CURRENCIES[rnd(2)]!, id]);
      else if (op === 3) await tx.run('UPDATE emoney_batches SET shop_id = ? WHERE id = ?', [SHOPS[rnd(3)]!, id]);
      else {
        await tx.run('DELETE FROM emoney_batches WHERE id = ?', [id]);
        ids.splice(ids.indexOf(id), 1);
      }
    });
  }
}

function suite(name: string, open: () => Promise<{ storage: Storage; done: () => Promise<void> }>): void {
  describe(name, () => {
    let s: Storage;
    let done: () => Promise<void>;

    beforeAll(async () => {
      ({ storage: s, done } = await open());
      await s.migrate(emoneyMigrations);
      await addBatch(s, { id: hexId(1), shopId: 'SHOP-A', state: 'settled', createdMs: 1, records: [{ amountMinor: 100, accepted: true }] });
      // Batches written before the merchant API ever started: ensureShopIndex counts them in.
      expect(await ensureShopIndex(s, new EmoneyPresence(s))).toBe(true);
    });

    afterAll(async () => {
      await done?.();
    });

    it('equals the counted totals after inserts, state and total changes, moves between shops and deletes', async () => {
      expect(await maintained(s)).toEqual({ 'SHOP-A/JPY/settled': [1, 100] });
      await churn(s, 7, 60);
      expect(await maintained(s)).toEqual(await counted(s));
      const all = await s.read((q) => shopControlTotals(q, 'SHOP-A', 0, []));
      const byState = await s.read((q) => shopControlTotals(q, 'SHOP-A', 2, ['settled', 'acked']));
      const countedA = await s.read((q) => q.all("SELECT currency, COUNT(*) AS n, SUM(total) AS s FROM emoney_batches WHERE shop_id = 'SHOP-A' GROUP BY currency ORDER BY currency"));
      const countedAByState = await s.read((q) => q.all("SELECT currency, COUNT(*) AS n, SUM(total) AS s FROM emoney_batches WHERE shop_id = 'SHOP-A' AND state IN ('settled','acked') GROUP BY currency ORDER BY currency"));
      const asTotals = (rows: Record<string, unknown>[]) => rows.map((r) => ({ currency: String(r['currency']), count: Number(r['n']), totalMinor: Number(r['s']) }));
      expect(all).toEqual(asTotals(countedA));
      expect(byState).toEqual(asTotals(countedAByState));
    });

    it('counts every change to a listed column of a shop\'s batch in its version, and a rolled-back write not at all', async () => {
      const v0 = await s.read((q) => shopVersion(q, 'SHOP-B'));
      await addBatch(s, { id: hexId(900_001), shopId: 'SHOP-B', state: 'instructed', createdMs: 5, records: [{ amountMinor: 10, accepted: true }] });
      const v1 = await s.read((q) => shopVersion(q, 'SHOP-B'));
      expect(v1).toBeGreaterThan(v0);
      await s.transact((tx) => tx.run("UPDATE emoney_batches SET code = 'BANK_X' WHERE id = ?", [hexId(900_001)]));
      const v2 = await s.read((q) => shopVersion(q, 'SHOP-B'));
      expect(v2).toBeGreaterThan(v1);
      const before = await maintained(s);
      await expect(
        s.transact(async (tx) => {
          await tx.run("UPDATE emoney_batches SET state = 'settled', total = 999 WHERE id = ?", [hexId(900_001)]);
          throw new Error('refused after the write');
        }),
      ).rejects.toThrow('refused after the write');
      expect(await maintained(s)).toEqual(before);
      expect(await s.read((q) => shopVersion(q, 'SHOP-B'))).toBe(v2);
      expect(await s.read((q) => shopVersion(q, 'SHOP-NEVER'))).toBe(0);
    });

    it('is made right at the next start when it missed changes, and no version goes back', async () => {
      const vA = await s.read((q) => shopVersion(q, 'SHOP-A'));
      await s.transact(async (tx) => {
        // An older center, or a table rebuilt by a migration, wrote without the triggers.
        await tx.exec(s.engine === 'postgres' ? 'DROP TRIGGER merchant_batch_totals_track ON emoney_batches' : 'DROP TRIGGER merchant_batch_totals_insert; DROP TRIGGER merchant_batch_totals_update; DROP TRIGGER merchant_batch_totals_delete');
        await tx.run("UPDATE emoney_batches SET total = total + 1 WHERE shop_id = 'SHOP-A'");
      });
      await addBatch(s, { id: hexId(900_002), shopId: 'SHOP-A', state: 'acked', createdMs: 6, records: [{ amountMinor: 10, accepted: true }] });
      expect(await maintained(s)).not.toEqual(await counted(s));
      expect(await ensureShopIndex(s, new EmoneyPresence(s))).toBe(true);
      expect(await maintained(s)).toEqual(await counted(s));
      expect(await s.read((q) => shopVersion(q, 'SHOP-A'))).toBeGreaterThan(vA);
      await churn(s, 11, 20);
      expect(await maintained(s)).toEqual(await counted(s));
    });
  });
}

suite('on SQLite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'merchant-totals-'));
  const storage = await openStorage(join(dir, 'center.db'));
  return { storage, done: async () => { await storage.close(); rmSync(dir, { recursive: true, force: true }); } };
});

suite('on PostgreSQL', async () => {
  const db: TestDatabase = await createTestDatabase('merchant_totals');
  const storage = await openStorage(db.url);
  return { storage, done: async () => { await storage.close(); await db.drop(); } };
});
