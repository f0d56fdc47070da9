/**
 * Two center nodes (two engines, each with its own storage connection(s) to
 * one database) redeeming the same PINs at the same moment for two shops:
 * the sum of what both take from a card never exceeds its value, each card
 * is taken by exactly the redemptions its balance covers, and the audit
 * holds. Run on SQLite (one file, two connections) and on PostgreSQL (one
 * database, two pools): concurrency.test.ts, concurrency.postgres.test.ts.
 */
import { expect, it } from 'vitest';
import { openStorage } from '../../../center/storage/open.js';
import type { Storage, StorageOptions } from '../../../center/storage/types.js';
import { TesseraError } from '../../../core/errors.js';
import { audit, openEngine, SOURCE, SOURCE2, stock, type Engine } from './support.js';

export function concurrencySuite(target: () => Promise<{ options: StorageOptions; drop: () => Promise<void> }>): void {
  it('two shops on two nodes redeem the same PINs at once: never overspent, exactly one of two 700s per 1000 card wins', async () => {
    const t = await target();
    const s1: Storage = await openStorage(t.options);
    const s2: Storage = await openStorage(t.options);
    let n1: Engine | undefined;
    let n2: Engine | undefined;
    try {
      n1 = await openEngine({ storage: s1, seed: 11 });
      n2 = await openEngine({ storage: s2, seed: 22, clock: n1.clock });
      const cards = await stock(n1, { count: 12 });
      for (const c of cards) await n1.vouchers.activate({ requestId: `a-${c.serial}`, hqId: 'HQ-1', storeId: 'S1', terminalId: 'P', serial: c.serial, amount: 1000, currency: 'JPY' });
      const attempts = cards.flatMap((c, i) => [
        { node: n1!, source: SOURCE, pin: c.pin, capture: i % 2 === 0 },
        { node: n2!, source: SOURCE2, pin: c.pin, capture: i % 3 !== 0 },
      ]);
      const outcomes = await Promise.all(
        attempts.map(async (a, i) => {
          try {
            const r = await a.node.vouchers.redeem({ source: a.source, redemptionKey: `k${i}`, pins: [a.pin], amount: 700, currency: 'JPY', orderRef: `o${i}`, capture: a.capture });
            if (!a.capture) await a.node.vouchers.capture(a.source.merchantId, r.redemptionId);
            return 'ok';
          } catch (e) {
            if (e instanceof TesseraError) return e.code;
            throw e;
          }
        }),
      );
      for (let i = 0; i < cards.length; i++) {
        const pair = [outcomes[2 * i], outcomes[2 * i + 1]].sort();
        expect(pair, `card ${i}`).toEqual(['VOUCHER_INSUFFICIENT', 'ok']);
      }
      const rows = await s1.read((q) => q.all('SELECT id, balance, held FROM voucher_cards ORDER BY id'));
      for (const r of rows) expect(r).toMatchObject({ balance: 300, held: 0 });
      const taken = await s1.read((q) => q.all('SELECT serial, SUM(captured) AS total FROM voucher_redemption_cards GROUP BY serial'));
      for (const r of taken) expect(Number(r['total'])).toBe(700);
      expect((await audit(n1)).examples).toEqual([]);
    } finally {
      await s1.close();
      await s2.close();
      await t.drop();
    }
  }, 60_000);
}
