/**
 * The shop till's basket and the settlement receipt, piece by piece: the
 * limits and refusals the real-stack e2e (test/e2e/emoney-shop.test.ts)
 * does not reach cheaply. The receipt is written to a real mount-directory
 * store; one test double stands in for a medium that fails mid-write.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../core/clock.js';
import { createLogger } from '../../../core/log.js';
import type { Scan } from '../../../terminal/devices/barcode-scanner.js';
import { devError } from '../../../terminal/devices/errors.js';
import { DirRemovableStore } from '../../../terminal/devices/files/dir-removable-store.js';
import type { RemovableStore } from '../../../terminal/devices/removable-store.js';
import type { RoleContext } from '../../../terminal/agent/role.js';
import { Basket, clearBasket, scanItem } from '../../../terminal/agent/roles/emoney/member-shop/basket.js';
import { receiptName, receiptOf, writeSettlementReceipt, type SettledBatch } from '../../../terminal/agent/roles/emoney/member-shop/receipt.js';
import { parseRoleSettings, shopSettingsSchema } from '../../../terminal/agent/roles/emoney/member-shop/settings.js';
import { builtinRoles } from '../../../terminal/agent/roles/builtin.js';
import { parseTerminalConfig } from '../../../terminal/config/load.js';
import { SHOP_LIMITS } from '../../../terminal/limits.js';

const NOW = Date.UTC(2026, 5, 1, 10, 30, 5, 123);
const PRICES = { '4901234567894': 180, '0012345678905': 1_020 };
let dir: string;
let lines: string[];
let ctx: RoleContext;

/** A context double: the basket and the receipt use the terminal id, the log, the clock and the store only. */
function contextWith(store: RemovableStore | null): RoleContext {
  const log = createLogger('till', { level: 'debug' }, { write: (l: string) => void lines.push(l) });
  return { terminalId: 'SHOP-A1', log, clock: new ManualClock(NOW), devices: { store } } as unknown as RoleContext;
}

const scanOf = (data: string): Scan => ({ data, symbology: null, atMs: 0 });

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tessera-till-'));
  lines = [];
  ctx = contextWith(null);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('till basket', () => {
  it('prices scanned items from the list and sums them', () => {
    const b = new Basket();
    expect(scanItem(ctx, scanOf('4901234567894'), b, PRICES)).toEqual({ result: 'done', code: null, details: { item: '4901234567894', priceMinor: 180, items: 1, totalMinor: 180 } });
    expect(scanItem(ctx, scanOf('0012345678905'), b, PRICES).details).toMatchObject({ items: 2, totalMinor: 1_200 });
    expect(clearBasket(ctx, b).details).toEqual({ clearedItems: 2, clearedMinor: 1_200 });
    expect([b.count, b.totalMinor]).toEqual([0, 0]);
  });

  it('unknown codes, data that is no item code, and a till without a price list are TERM_ITEM_UNKNOWN; nothing added', () => {
    const b = new Basket();
    expect(() => scanItem(ctx, scanOf('4900000000000'), b, PRICES)).toThrow(expect.objectContaining({ code: 'TERM_ITEM_UNKNOWN', details: { item: '4900000000000' } }));
    expect(() => scanItem(ctx, scanOf('constructor'), b, PRICES)).toThrow(expect.objectContaining({ code: 'TERM_ITEM_UNKNOWN' }));
    expect(() => scanItem(ctx, scanOf('PIN 1234 ok'), b, PRICES)).toThrow(expect.objectContaining({ code: 'TERM_ITEM_UNKNOWN', details: { length: 11 } }));
    expect(() => scanItem(ctx, scanOf('4901234567894'), b, undefined)).toThrow(expect.objectContaining({ code: 'TERM_ITEM_UNKNOWN' }));
    expect(b.count).toBe(0);
    expect(lines.some((l) => l.includes('PIN 1234'))).toBe(false);
  });

  it(`holds at most ${SHOP_LIMITS.basketItemsMax} items and never a total past a safe integer: TERM_BASKET_FULL, nothing added`, () => {
    const b = new Basket();
    for (let i = 0; i < SHOP_LIMITS.basketItemsMax; i++) b.add({ code: 'X', priceMinor: 10 });
    expect(() => b.add({ code: 'X', priceMinor: 10 })).toThrow(expect.objectContaining({ code: 'TERM_BASKET_FULL' }));
    expect([b.count, b.totalMinor]).toEqual([SHOP_LIMITS.basketItemsMax, SHOP_LIMITS.basketItemsMax * 10]);
    const big = new Basket();
    big.add({ code: 'A', priceMinor: Number.MAX_SAFE_INTEGER - 5 });
    expect(() => big.add({ code: 'B', priceMinor: 6 })).toThrow(expect.objectContaining({ code: 'TERM_BASKET_FULL' }));
    big.add({ code: 'C', priceMinor: 5 });
    expect(big.totalMinor).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('shop price lists are validated at role creation: TERM_CONFIG_INVALID names the field', () => {
    expect(parseRoleSettings(shopSettingsSchema, 'shop', { products: PRICES }).products).toEqual(PRICES);
    const tooMany = Object.fromEntries(Array.from({ length: SHOP_LIMITS.productsMax + 1 }, (_, i) => [`C${i}`, 10]));
    const config = (roleSettings: Record<string, unknown>) =>
      parseTerminalConfig({ terminalId: 'SHOP-X', keyFile: '/nonexistent', role: 'shop', centers: [{ host: '127.0.0.1', port: 1 }], devices: { reader: { namePattern: 'x' } }, journal: ':memory:', roleSettings });
    for (const products of [{ '4901234567894': 0 }, { '4901 234': 100 }, { ['9'.repeat(SHOP_LIMITS.itemCodeCharsMax + 1)]: 100 }, { A: 1.5 }, { A: '100' }, tooMany, []]) {
      try {
        builtinRoles().create(config({ products }));
        expect.unreachable();
      } catch (e) {
        expect(e).toMatchObject({ code: 'TERM_CONFIG_INVALID' });
        expect(String((e as { details: { problems: string[] } }).details.problems[0])).toMatch(/^roleSettings\.products/);
      }
    }
    expect(builtinRoles().create(config({ products: PRICES })).onScan).toBeTypeOf('function');
  });
});

const batch = (over: Partial<SettledBatch> = {}): SettledBatch => ({
  settledCount: 2, totalMinor: 800, currency: 'JPY', rejected: [{ status: 'FORGED' }, { status: 'DUPLICATE' }, { status: 'DUPLICATE' }],
  providerAccount: { bankCode: '0001', branchCode: '009' }, remainingCount: 0, ...over,
});

describe('settlement receipt', () => {
  it('is named by UTC time and terminal, and counts the records per verdict', () => {
    expect(receiptName('SHOP-A1', NOW)).toBe('SETTLE-20260601-103005123-SHOP-A1.JSON');
    expect(receiptName('SHOP-A1', NOW, 3)).toBe('SETTLE-20260601-103005123-SHOP-A1-3.JSON');
    expect(receiptOf('SHOP-A1', NOW, batch())).toEqual({
      receipt: 'tessera-settlement', version: 1, terminalId: 'SHOP-A1', settledAt: '2026-06-01T10:30:05.123Z', bankCode: '0001', branchCode: '009',
      currency: 'JPY', totalMinor: 800, records: 5, results: { ACCEPTED: 2, FORGED: 1, ALTERED: 0, DUPLICATE: 2 }, remainingCount: 0,
    });
  });

  it('goes to the inserted medium atomically; a second one in the same millisecond never overwrites the first', async () => {
    const mount = join(dir, 'mnt');
    const store = new DirRemovableStore({ mountDir: mount, clock: new ManualClock(NOW) });
    await store.open();
    try {
      ctx = contextWith(store);
      expect(await writeSettlementReceipt(ctx, batch())).toBeNull(); // no medium
      expect(lines.some((l) => l.includes('no medium in the drive'))).toBe(true);
      mkdirSync(mount);
      expect(await writeSettlementReceipt(ctx, batch())).toBe('SETTLE-20260601-103005123-SHOP-A1.JSON');
      expect(await writeSettlementReceipt(ctx, batch({ totalMinor: 300 }))).toBe('SETTLE-20260601-103005123-SHOP-A1-2.JSON');
      expect(JSON.parse((await store.readFile('SETTLE-20260601-103005123-SHOP-A1.JSON')).toString())).toMatchObject({ totalMinor: 800 });
      expect(JSON.parse((await store.readFile('SETTLE-20260601-103005123-SHOP-A1-2.JSON')).toString())).toMatchObject({ totalMinor: 300 });
      // Nothing settled, nothing rejected: no receipt.
      expect(await writeSettlementReceipt(ctx, batch({ settledCount: 0, totalMinor: 0, rejected: [] }))).toBeNull();
      expect(readdirSync(mount).sort()).toEqual(['SETTLE-20260601-103005123-SHOP-A1-2.JSON', 'SETTLE-20260601-103005123-SHOP-A1.JSON']);
    } finally {
      await store.close();
    }
  });

  it('a medium that fails or vanishes mid-write, or no store at all, is a log line and never an error', async () => {
    expect(await writeSettlementReceipt(contextWith(null), batch())).toBeNull();
    const failing = {
      status: async () => ({ device: 'online', media: 'present' }),
      readFile: async () => Promise.reject(devError('DEV_FILE_NOT_FOUND', 'no such file')),
      writeFile: async () => Promise.reject(devError('DEV_MEDIUM_REMOVED', 'medium removed during the operation')),
    } as unknown as RemovableStore;
    expect(await writeSettlementReceipt(contextWith(failing), batch())).toBeNull();
    expect(lines.some((l) => l.includes('DEV_MEDIUM_REMOVED') && l.includes('settlement receipt not written'))).toBe(true);
  });
});
