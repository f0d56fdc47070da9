/**
 * Two center nodes (startCenter, each with its own pool) on one PostgreSQL
 * database, each serving the merchant API with the voucher routes: two
 * shops, one on each node, redeem the same PINs over HTTP at the same
 * moment. Each card pays exactly the redemptions its value covers (one of
 * two 700s on a 1,000 card), the loser gets VOUCHER_INSUFFICIENT, the sum of
 * what both take never exceeds the card, and the audit holds.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MerchantClient, MerchantApiError } from '../../center/merchant-api/client.js';
import type { MerchantApiHandle } from '../../center/merchant-api/module.js';
import { CENTER_MODULES } from '../../center/modules.js';
import { parseCenterConfig } from '../../center/server/config.js';
import { startCenter, type Center } from '../../center/server/start-center.js';
import { openStorage } from '../../center/storage/open.js';
import type { Storage } from '../../center/storage/types.js';
import type { PrintableCard } from '../../center/voucher/api.js';
import { VOUCHER_AUDIT } from '../../center/voucher/audit-check.js';
import type { Vouchers } from '../../center/voucher/vouchers.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';

let db: TestDatabase;
const storages: Storage[] = [];
const centers: Center[] = [];
const clients: MerchantClient[] = [];
let cards: PrintableCard[];

beforeAll(async () => {
  db = await createTestDatabase('voucher_nodes');
  const dir = mkdtempSync(join(tmpdir(), 'voucher-nodes-'));
  const masterKeyFile = join(dir, 'master.key');
  const pinKeyFile = join(dir, 'pin.key');
  writeFileSync(masterKeyFile, Buffer.alloc(32, 3).toString('hex'), { mode: 0o600 });
  writeFileSync(pinKeyFile, Buffer.alloc(32, 4), { mode: 0o600 });
  for (let i = 0; i < 2; i++) {
    const storage = await openStorage({ engine: 'postgres', url: db.url });
    storages.push(storage);
    const config = parseCenterConfig(
      {
        listen: { host: '127.0.0.1', port: 0 },
        terminalKeys: { masterKeyFile },
        db: db.url,
        voucher: { pinKeyFile, hqs: [{ hqId: 'HQ-1', commissionBp: 200 }], sweepIntervalMs: 600_000 },
        merchantApi: { host: '127.0.0.1', port: 0 },
      },
      CENTER_MODULES,
    );
    centers.push(await startCenter(config, CENTER_MODULES, { storage }));
  }
  const v = centers[0]!.module<Vouchers>('voucher');
  const b = await v.issueBatch({ hqId: 'HQ-1', denomination: 1000, count: 8 });
  cards = [...(await v.takeForPrinting(b.batchId))];
  for (const c of cards) await v.activate({ requestId: `a-${c.serial}`, hqId: 'HQ-1', storeId: 'S1', terminalId: 'POS-1', serial: c.serial, amount: 1000, currency: 'JPY' });
  for (const [i, c] of centers.entries()) {
    const api = c.module<MerchantApiHandle>('merchant-api');
    await api.merchants.add(`shop-${i}`);
    clients.push(new MerchantClient({ baseUrl: api.url, apiKey: (await api.merchants.addKey(`shop-${i}`)).key, attempts: 1 }));
  }
}, 60_000);

afterAll(async () => {
  for (const c of clients) await c.close();
  for (const c of centers) await c.close();
  for (const s of storages) await s.close();
  await db?.drop();
});

describe('voucher redemptions over HTTP on two center nodes (PostgreSQL)', () => {
  it('the same PINs redeemed at once through both nodes: exactly one 700 per 1,000 card, never overspent', async () => {
    const outcomes = await Promise.all(
      cards.flatMap((c, i) =>
        clients.map(async (client, n) => {
          try {
            const r = await client.redeemVouchers({ pins: [c.pin], amount: 700, orderRef: `o-${i}-${n}`, capture: (i + n) % 2 === 0 });
            if (r.body.state === 'authorized') await client.captureVoucherRedemption(r.body.redemptionId);
            return 'ok';
          } catch (e) {
            if (e instanceof MerchantApiError) return e.code;
            throw e;
          }
        }),
      ),
    );
    for (let i = 0; i < cards.length; i++) expect([outcomes[2 * i], outcomes[2 * i + 1]].sort(), `card ${i}`).toEqual(['VOUCHER_INSUFFICIENT', 'ok']);
    const rows = await storages[0]!.read((q) => q.all('SELECT balance, held FROM voucher_cards'));
    for (const r of rows) expect(r).toEqual({ balance: 300, held: 0 });
    const [s0, s1] = await Promise.all(clients.map((c) => c.voucherStatement()));
    expect(s0!.capturedMinor + s1!.capturedMinor).toBe(700 * cards.length);
    expect((await storages[1]!.read((q) => VOUCHER_AUDIT.check(q))).examples).toEqual([]);
  });
});
