/**
 * The simulated online shop (sim/online-shop) against a real merchant API:
 * it reconciles every paid payout once, a second pass does nothing, and a
 * shop whose books were lost reconciles again without the center recording
 * anything twice (the Idempotency-Key is derived from the settlement).
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MerchantClient } from '../../../center/merchant-api/client.js';
import { OnlineShop } from '../../../sim/online-shop/online-shop.js';
import { addBatch, count, hexId, startHarness, type Harness } from '../../center/merchant-api/support.js';

describe('simulated online shop', () => {
  let h: Harness;
  let client: MerchantClient;

  beforeAll(async () => {
    h = await startHarness();
    for (let i = 1; i <= 3; i++) {
      await addBatch(h.storage, { id: hexId(i), shopId: 'WEB-1', state: 'settled', createdMs: i * 1_000, records: [{ amountMinor: i * 100, accepted: true }, { amountMinor: 5, accepted: false }] });
    }
    await addBatch(h.storage, { id: hexId(4), shopId: 'WEB-1', state: 'acked', createdMs: 4_000, records: [{ amountMinor: 400, accepted: true }] });
    await h.api.merchants.add('web-1', 'WEB-1');
    client = new MerchantClient({ baseUrl: h.api.url, apiKey: (await h.api.merchants.addKey('web-1')).key });
  });

  afterAll(async () => {
    await client?.close();
    await h?.close();
  });

  it('reconciles each paid payout once, even after losing its own books', async () => {
    const shop = new OnlineShop(client, join(h.dir, 'shop-books.db'));
    expect(await shop.reconcilePaid()).toEqual({ reconciled: 3, replayed: 0, mismatched: 0 });
    expect(await shop.reconcilePaid()).toEqual({ reconciled: 0, replayed: 0, mismatched: 0 });
    shop.close();
    const restored = new OnlineShop(client, join(h.dir, 'shop-books-lost.db'));
    expect(await restored.reconcilePaid()).toEqual({ reconciled: 3, replayed: 3, mismatched: 0 });
    restored.close();
    expect(await count(h.storage, 'merchant_reconciliations')).toBe(3);
  });
});
