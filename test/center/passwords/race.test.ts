/**
 * Two shops presenting the same password at once are never overspent: a
 * single-use password is won by exactly one, a partial one never captures
 * more than its value. On SQLite (one center, the sales concurrent) and on
 * PostgreSQL with two center nodes (two storages, two password cores) on one
 * database, the shops' sales alternating between the nodes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Passwords } from '../../../center/passwords/passwords.js';
import { openStorage } from '../../../center/storage/open.js';
import type { Storage } from '../../../center/storage/types.js';
import { ManualClock } from '../../../core/clock.js';
import { createTestDatabase, type TestDatabase } from '../../support/postgres.js';
import { audit, issueReq, openCore, type RecordingDelivery } from './support.js';

const T0 = 1_800_000_000_000;
const SHOPS = [{ merchantId: 'm_a', shopId: 'SHOP-A' }, { merchantId: 'm_b', shopId: 'SHOP-B' }];
let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

interface Nodes {
  readonly cores: Passwords[];
  readonly storages: Storage[];
  readonly delivery: RecordingDelivery;
}

async function sqliteNodes(): Promise<Nodes> {
  const dir = mkdtempSync(join(tmpdir(), 'pw-race-'));
  const storage = await openStorage(join(dir, 'center.db'));
  const { pw, delivery } = await openCore(storage, new ManualClock(T0));
  cleanup.push(async () => {
    await storage.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { cores: [pw, pw], storages: [storage], delivery };
}

async function postgresNodes(): Promise<Nodes> {
  const db: TestDatabase = await createTestDatabase('pw_race');
  const s1 = await openStorage({ engine: 'postgres', url: db.url });
  const s2 = await openStorage({ engine: 'postgres', url: db.url });
  const clock = new ManualClock(T0);
  const a = await openCore(s1, clock, { seed: 1 });
  const b = await openCore(s2, clock, { seed: 2 });
  cleanup.push(async () => {
    await s1.close();
    await s2.close();
    await db.drop();
  });
  // Issued on node 1; the delivery double of node 1 holds the codes.
  return { cores: [a.pw, b.pw], storages: [s1, s2], delivery: a.delivery };
}

async function live(n: Nodes, o: Parameters<typeof issueReq>[0]): Promise<string> {
  const a = await n.cores[0]!.issue(issueReq(o));
  await n.cores[1]!.onOutcome({ passwordId: a.passwordId, outcome: 'delivered', channel: 'sms', atMs: T0 });
  return n.delivery.code(a.passwordId);
}

const outcome = (p: Promise<{ capturedMinor: number }>): Promise<number | string> => p.then((r) => r.capturedMinor, (e: { code?: string }) => e.code ?? 'error');

describe.each([['SQLite, one center', sqliteNodes], ['PostgreSQL, two center nodes', postgresNodes]] as const)('two shops at once on %s', (_name, open) => {
  it('single-use: exactly one of two simultaneous sales wins, for each of 8 passwords', async () => {
    const n = await open();
    const codes = await Promise.all(Array.from({ length: 8 }, () => live(n, { amountMinor: 1_000, partial: false })));
    const results = await Promise.all(codes.flatMap((code, i) => SHOPS.map((shop, s) =>
      outcome(n.cores[s]!.redeem(shop, { requestId: `r-${i}-${s}`, presented: { code }, amountMinor: 1_000, currency: 'JPY', capture: true })))));
    for (let i = 0; i < codes.length; i++) {
      const pair = results.slice(2 * i, 2 * i + 2);
      expect(pair.filter((r) => r === 1_000), `password ${i}: ${pair.join(', ')}`).toHaveLength(1);
      expect(pair.filter((r) => r === 'PASSWORD_USED_UP')).toHaveLength(1);
    }
    for (const s of n.storages) expect(await audit(s)).toEqual([]);
  });

  it('partial: twelve simultaneous sales of 300 on a 1,000 password capture exactly 900, the rest refused over the amount or used up', async () => {
    const n = await open();
    const code = await live(n, { amountMinor: 1_000, partial: true });
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) =>
      outcome(n.cores[i % 2]!.redeem(SHOPS[i % 2]!, { requestId: `p-${i}`, presented: { code }, amountMinor: 300, currency: 'JPY', capture: i % 3 !== 0 }))));
    const won = results.filter((r) => typeof r === 'number');
    expect(won).toHaveLength(3);
    expect(results.filter((r) => typeof r === 'string').every((r) => r === 'PASSWORD_OVER_AMOUNT' || r === 'PASSWORD_USED_UP')).toBe(true);
    const sums = await n.storages[0]!.read((q) => q.get<{ held: unknown; remaining: unknown }>('SELECT SUM(amount) AS held, (SELECT remaining FROM passwords) AS remaining FROM password_redemptions'));
    expect(Number(sums!.held)).toBe(900);
    expect(Number(sums!.remaining)).toBe(100);
    for (const s of n.storages) expect(await audit(s)).toEqual([]);
  });
});
