/**
 * The in-store sale (PASSWORD_SALE_REQUEST, center/passwords/sale-flow.ts)
 * on a real SQLite database and validity's real terminal rows: the shop is
 * the terminal's registration (never a field), the sale is captured at once
 * and idempotent by TRANSACTION_ID, and each refusal is a declined
 * PASSWORD_SALE_RESULT with its 0x06xx code; failed lookups lock the
 * terminal out.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PASSWORD_RESULT_CODES as RC } from '../../../center/passwords/result-codes.js';
import type { Passwords } from '../../../center/passwords/passwords.js';
import { PasswordSaleService } from '../../../center/passwords/sale-flow.js';
import { openStorage } from '../../../center/storage/open.js';
import type { Storage } from '../../../center/storage/types.js';
import { ValidityRepository } from '../../../center/validity/repository.js';
import { ManualClock } from '../../../core/clock.js';
import { silentLogger } from '../../../core/log.js';
import { decodeToken, encodeDeviceQr, newKeyPair, rawPublicKey } from '../../../protocol/password/index.js';
import type { PasswordSaleRequest } from '../../../protocol/messages/types.js';
import { audit, issueReq, openCore, type RecordingDelivery } from './support.js';

const T0 = 1_800_000_000_000;
let dir: string;
let storage: Storage;
let clock: ManualClock;
let pw: Passwords;
let delivery: RecordingDelivery;
let sales: PasswordSaleService;
let n = 0;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pw-sale-'));
  storage = await openStorage(join(dir, 'center.db'));
  clock = new ManualClock(T0);
  ({ pw, delivery } = await openCore(storage, clock));
  const validity = await ValidityRepository.open(storage);
  await validity.addTerminals([
    { id: 'POS-1', ownerKind: 'store', ownerId: 'SHOP-1', keyRef: 'k1' },
    { id: 'POS-2', ownerKind: 'store', ownerId: 'SHOP-2', keyRef: 'k2' },
    { id: 'KIOSK-U', ownerKind: 'user', ownerId: 'SHOP-1', keyRef: 'k3' },
  ]);
  sales = new PasswordSaleService(pw, validity, silentLogger);
});
afterEach(async () => {
  expect(await audit(storage)).toEqual([]);
  await storage.close();
  rmSync(dir, { recursive: true, force: true });
});

const tx = (): Buffer => Buffer.alloc(16, ++n);
const req = (o: Partial<PasswordSaleRequest>): PasswordSaleRequest => ({ type: 'passwordSaleRequest', transactionId: tx(), amountMinor: 1_000, currency: 'JPY', goodsClasses: [], ...o });
async function live(o: Parameters<typeof issueReq>[0] = {}): Promise<{ serial: string; code: string; token: string | null }> {
  const a = await pw.issue(issueReq(o));
  await pw.onOutcome({ passwordId: a.passwordId, outcome: 'delivered', channel: 'sms', atMs: clock.nowMs() });
  return { serial: a.serial, code: delivery.code(a.passwordId).replace(/-/g, ''), token: a.token };
}
const payable = async (shop: string): Promise<number> => {
  const [a] = await pw.ledger.lookupAccounts([`pw-payable@${shop}`]);
  return a ? a.creditsPostedMinor - a.debitsPostedMinor : 0;
};

describe('PASSWORD_SALE_REQUEST at the TTP', () => {
  it("captures at once for the terminal's shop, answers the value left and expiry; a retry with the same id answers the first outcome, other fields are refused", async () => {
    const p = await live({ amountMinor: 3_000 });
    const m = req({ password: p.code, amountMinor: 1_200 });
    const r = await sales.sell('POS-1', m);
    expect(r).toMatchObject({ status: 0, resultCode: 0, amountMinor: 1_200, balanceMinor: 1_800 });
    expect(r.expiresAtMs).toBeGreaterThan(T0);
    expect(await payable('SHOP-1')).toBe(1_200);
    expect(await sales.sell('POS-1', m)).toEqual(r); // the lost answer's retry: nothing booked twice
    expect(await payable('SHOP-1')).toBe(1_200);
    expect(await sales.sell('POS-1', { ...m, amountMinor: 1_000 })).toMatchObject({ status: 1, resultCode: RC.PASSWORD_EXISTS_WITH_DIFFERENT_FIELDS });
    // Over the value left: declined with the balance for the receipt.
    expect(await sales.sell('POS-1', req({ password: p.code, amountMinor: 2_000 }))).toMatchObject({ status: 1, resultCode: RC.PASSWORD_OVER_AMOUNT, balanceMinor: 1_800 });
  });

  it('the shop comes from the terminal row: a password for SHOP-1 is declined at a SHOP-2 terminal (wrong payee) and at a terminal that is no store\'s', async () => {
    const p = await live({ amountMinor: 2_000, payee: { kind: 'shop', id: 'SHOP-1' } });
    expect(await sales.sell('POS-2', req({ password: p.code }))).toMatchObject({ status: 1, resultCode: RC.PASSWORD_WRONG_PAYEE });
    expect(await sales.sell('KIOSK-U', req({ password: p.code }))).toMatchObject({ status: 1, resultCode: RC.PASSWORD_BAD_REQUEST });
    expect(await sales.sell('POS-1', req({ password: p.code }))).toMatchObject({ status: 0, balanceMinor: 1_000 });
    expect(await payable('SHOP-2')).toBe(0);
  });

  it('goods the password may not buy are declined; the basket of allowed goods is sold', async () => {
    const p = await live({ amountMinor: 2_000, goods: ['B01', 'B02'] });
    expect(await sales.sell('POS-1', req({ password: p.code, goodsClasses: ['B01', 'F09'] }))).toMatchObject({ status: 1, resultCode: RC.PASSWORD_GOODS_NOT_ALLOWED });
    expect(await sales.sell('POS-1', req({ password: p.code, goodsClasses: [] }))).toMatchObject({ status: 1, resultCode: RC.PASSWORD_GOODS_NOT_ALLOWED });
    expect(await sales.sell('POS-1', req({ password: p.code, goodsClasses: ['B02'] }))).toMatchObject({ status: 0, resultCode: 0 });
  });

  it('a device QR: sold once per counter (the same QR again is PASSWORD_REPLAYED), a stale one is PWTOKEN_STALE, one signed for another shop is refused', async () => {
    const device = newKeyPair();
    const p = await live({ binding: 'device', deviceKey: rawPublicKey(device.publicKey), amountMinor: 5_000 });
    const signed = decodeToken(p.token!);
    const qr = (counter: number, o: { timeMs?: number; shopId?: string | null } = {}): string =>
      encodeDeviceQr(signed, { timeMs: o.timeMs ?? clock.nowMs(), counter, shopId: o.shopId === undefined ? null : o.shopId, amountMinor: null }, device.privateKey);
    const first = qr(1);
    expect(await sales.sell('POS-1', req({ passwordQr: first }))).toMatchObject({ status: 0, balanceMinor: 4_000 });
    expect(await sales.sell('POS-1', req({ passwordQr: first }))).toMatchObject({ status: 1, resultCode: RC.PASSWORD_REPLAYED });
    expect(await sales.sell('POS-1', req({ passwordQr: qr(2, { timeMs: T0 - 121_000 }) }))).toMatchObject({ status: 1, resultCode: RC.PWTOKEN_STALE });
    expect(await sales.sell('POS-1', req({ passwordQr: qr(3, { shopId: 'SHOP-2' }) }))).toMatchObject({ status: 1, resultCode: RC.PWTOKEN_PRESENTATION_MISMATCH });
    expect(await sales.sell('POS-1', req({ passwordQr: qr(4, { shopId: 'SHOP-1' }) }))).toMatchObject({ status: 0, balanceMinor: 3_000 });
    // The bare code of a device-bound password is refused.
    expect(await sales.sell('POS-1', req({ password: p.code }))).toMatchObject({ status: 1, resultCode: RC.PASSWORD_DEVICE_REQUIRED });
  });

  it('failed lookups lock the terminal out (10 within the window): then even a good password is declined PASSWORD_LOCKED_OUT at that terminal, not at another', async () => {
    const p = await live({ amountMinor: 2_000 });
    for (let i = 0; i < 10; i++) {
      const r = await sales.sell('POS-2', req({ password: `${String(1_000_000_000_000_000 + i)}`.slice(0, 16) }));
      expect(r).toMatchObject({ status: 1, resultCode: RC.PASSWORD_UNKNOWN });
    }
    expect(await sales.sell('POS-2', req({ password: p.code }))).toMatchObject({ status: 1, resultCode: RC.PASSWORD_LOCKED_OUT });
    expect(await sales.sell('POS-1', req({ password: p.code }))).toMatchObject({ status: 0 });
    clock.advance(60 * 60_000 + 1);
    expect(await sales.sell('POS-2', req({ password: p.code }))).toMatchObject({ status: 0, balanceMinor: 0 });
  });
});
