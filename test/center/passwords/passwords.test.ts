/**
 * The TTP's password core on a real SQLite database: issue (idempotent by the
 * issuer's request id, the code only in the delivered message), delivery
 * outcomes (delivered makes it spendable, failed refunds it, a late receipt
 * changes nothing), spending (sale, reserve → capture → refund, cancel,
 * partial and single-use), every refusal with its code, device-bound QR
 * presentations (fresh, never twice), revocation, expiry; the ledger audit
 * and the passwords' own (liability = outstanding) pass after every test.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Passwords } from '../../../center/passwords/passwords.js';
import { openStorage } from '../../../center/storage/open.js';
import type { Storage } from '../../../center/storage/types.js';
import { ManualClock } from '../../../core/clock.js';
import { decodeToken, encodeBearerQr, encodeDeviceQr, newKeyPair, rawPublicKey, revocationBytes, ed25519Sign } from '../../../protocol/password/index.js';
import { audit, expectCode, issueReq, openCore, type RecordingDelivery } from './support.js';

const T0 = 1_800_000_000_000;
const SHOP1 = { merchantId: 'm_1', shopId: 'SHOP-1' };
const SHOP2 = { merchantId: 'm_2', shopId: 'SHOP-2' };
let dir: string;
let storage: Storage;
let clock: ManualClock;
let pw: Passwords;
let delivery: RecordingDelivery;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pw-core-'));
  storage = await openStorage(join(dir, 'center.db'));
  clock = new ManualClock(T0);
  ({ pw, delivery } = await openCore(storage, clock));
});
afterEach(async () => {
  expect(await audit(storage)).toEqual([]);
  await storage.close();
  rmSync(dir, { recursive: true, force: true });
});

const balance = async (id: string): Promise<number> => {
  const [a] = await pw.ledger.lookupAccounts([id]);
  return a ? a.creditsPostedMinor - a.debitsPostedMinor : 0;
};
/** Issue and deliver: the serial and the code the device got. */
async function live(o: Parameters<typeof issueReq>[0] = {}): Promise<{ serial: string; code: string; token: string | null }> {
  const a = await pw.issue(issueReq(o));
  expect(await pw.onOutcome({ passwordId: a.passwordId, outcome: 'delivered', channel: 'sms', atMs: clock.nowMs() })).toBe('applied');
  return { serial: a.serial, code: delivery.code(a.passwordId), token: a.token };
}
const sale = (code: string, amountMinor: number, requestId: string, shop = SHOP1, extra = {}) =>
  pw.redeem(shop, { requestId, presented: { code }, amountMinor, currency: 'JPY', capture: true, ...extra });

describe('issue and delivery', () => {
  it('issues once per request id (the same answer, no second password), refuses the id with other fields, and prefunds the liability', async () => {
    const r = issueReq({ requestId: 'order-1' });
    const a = await pw.issue(r);
    expect(a).toMatchObject({ state: 'issued', amountMinor: 10_000, replayed: false });
    expect(a.token).toMatch(/^TPW1:/);
    expect(decodeToken(a.token!).terms.amountMinor).toBe(10_000);
    const again = await pw.issue(r);
    expect(again).toEqual({ ...a, replayed: true });
    expect(delivery.sent.size).toBe(1);
    await expectCode(pw.issue({ ...r, amountMinor: 9_000 }), 'PASSWORD_EXISTS_WITH_DIFFERENT_FIELDS');
    expect(await balance('pw-outstanding')).toBe(10_000);
    // The code is in the message only: not in the issuer's answer, not in any column.
    const code = delivery.code(a.passwordId);
    expect(code).toMatch(/^[0-9A-Z]{4}(-[0-9A-Z]{4}){3}$/);
    const rows = await storage.read((q) => q.all('SELECT * FROM passwords'));
    expect(JSON.stringify(rows)).not.toContain(code.replace(/-/g, ''));
    expect(JSON.stringify(a)).not.toContain(code.replace(/-/g, ''));
  });

  it('is not spendable before delivery; a failed delivery refunds it; a receipt after the refund changes nothing and is logged as late', async () => {
    const a = await pw.issue(issueReq());
    const code = delivery.code(a.passwordId);
    await expectCode(sale(code, 100, 'early'), 'PASSWORD_NOT_DELIVERED');
    expect(await pw.onOutcome({ passwordId: a.passwordId, outcome: 'failed', channel: 'sms', atMs: T0, detail: 'UNDELIV' })).toBe('applied');
    expect((await pw.view(a.serial))!.state).toBe('refunded');
    expect(await balance('pw-outstanding')).toBe(0);
    expect(await balance('pw-funds@CREDIT-A')).toBe(0);
    expect(await pw.onOutcome({ passwordId: a.passwordId, outcome: 'delivered', channel: 'sms', atMs: T0, detail: 'DELIVRD' })).toBe('late');
    expect(await pw.onOutcome({ passwordId: a.passwordId, outcome: 'failed', channel: 'sms', atMs: T0 })).toBe('repeated');
    expect((await pw.view(a.serial))!.state).toBe('refunded');
    await expectCode(sale(code, 100, 'after'), 'PASSWORD_REVOKED');
    const events = await storage.read((q) => q.all<{ kind: string }>('SELECT kind FROM password_events WHERE password_id = ? ORDER BY rowid', [a.passwordId]));
    expect(events.map((e) => e.kind)).toEqual(['issued', 'delivery-failed', 'refunded', 'delivered (late: refunded)', 'failed (repeated)']);
    expect(await pw.onOutcome({ passwordId: 'ff'.repeat(16), outcome: 'delivered', channel: 'sms', atMs: T0 })).toBe('unknown');
  });

  it('a port that refuses the hand-over, or no outcome by the delivery deadline, ends delivery-failed and refunded', async () => {
    delivery.refuse = true;
    const a = await pw.issue(issueReq());
    expect(a.state).toBe('refunded');
    delivery.refuse = false;
    const b = await pw.issue(issueReq());
    clock.advance(24 * 3_600_000);
    expect(await pw.sweep()).toMatchObject({ deliveryTimedOut: 1 });
    expect((await pw.view(b.serial))!.state).toBe('refunded');
    expect(await balance('pw-outstanding')).toBe(0);
  });

  it('with the delivery side\'s outbox, the message is queued in the issue\'s unit: a refused enqueue issues nothing; outcomes apply in the reporter\'s unit', async () => {
    const queued: string[] = [];
    pw.useDeliveryQueue({
      enqueue: async (tx, passwordId, _channel, address) => {
        if (address === '810000000000') /* the core hands over the normalised MSISDN */ throw Object.assign(new Error('outbox full'), { code: 'STORE_OVERLOADED' });
        await tx.get('SELECT 1');
        queued.push(passwordId);
      },
    });
    const a = await pw.issue(issueReq());
    expect(queued).toEqual([a.passwordId]);
    expect(delivery.sent.size).toBe(0); // not handed over after the commit as well
    await expect(pw.issue(issueReq({ address: '+810000000000' }))).rejects.toThrow('outbox full');
    expect((await storage.read((q) => q.get<{ n: unknown }>('SELECT COUNT(*) AS n FROM passwords')))!.n).toBe(1);
    expect(await balance('pw-outstanding')).toBe(10_000);
    expect(await storage.transact((tx) => pw.outcomeIn(tx, { passwordId: a.passwordId, outcome: 'delivered', channel: 'sms', atMs: T0 }))).toBe('applied');
    expect((await pw.view(a.serial))!.state).toBe('delivered');
  });

  it('keypad passwords: 16 digits, no token, lower limits', async () => {
    await expectCode(pw.issue(issueReq({ binding: 'keypad', amountMinor: 30_001 })), 'PASSWORD_KEYPAD_LIMIT');
    await expectCode(pw.issue(issueReq({ binding: 'keypad', expiresAtMs: T0 + 8 * 24 * 3_600_000 })), 'PASSWORD_KEYPAD_LIMIT');
    const k = await live({ binding: 'keypad', amountMinor: 3_000 });
    expect(k.code).toMatch(/^[0-9]{16}$/);
    expect(k.token).toBeNull();
    expect((await sale(k.code, 1_000, 'k1')).remainingMinor).toBe(2_000);
    await expectCode(pw.issue(issueReq({ issuer: 'NOBODY' })), 'PASSWORD_ISSUER_UNKNOWN');
    await expectCode(pw.issue(issueReq({ channel: 'email', address: 'not-an-address' })), 'PASSWORD_BAD_REQUEST');
  });
});

describe('spending', () => {
  it('partial: sales leave the rest spendable; over the amount is refused; the sum never exceeds the value', async () => {
    const { code, serial } = await live({ amountMinor: 5_000 });
    expect(await sale(code, 3_000, 's1')).toMatchObject({ state: 'captured', capturedMinor: 3_000, remainingMinor: 2_000 });
    expect(await sale(code, 3_000, 's1')).toMatchObject({ remainingMinor: 2_000 }); // the same request id: the same answer
    await expectCode(sale(code, 2_001, 's2'), 'PASSWORD_OVER_AMOUNT');
    expect(await sale(code, 2_000, 's3', SHOP2)).toMatchObject({ remainingMinor: 0 });
    expect((await pw.view(serial))!.state).toBe('used-up');
    await expectCode(sale(code, 1, 's4'), 'PASSWORD_USED_UP');
    expect(await balance('pw-payable@m_1')).toBe(3_000);
    expect(await balance('pw-payable@m_2')).toBe(2_000);
    expect(await balance('pw-outstanding')).toBe(0);
  });

  it('single-use: one redemption uses it; the uncaptured rest goes back to the issuer; a cancelled reservation frees it again', async () => {
    const { code, serial } = await live({ amountMinor: 5_000, partial: false });
    const r = await pw.redeem(SHOP1, { requestId: 'r1', presented: { code }, amountMinor: 4_000, currency: 'JPY', capture: false });
    expect(r).toMatchObject({ state: 'reserved', remainingMinor: 1_000 });
    await expectCode(sale(code, 500, 'other', SHOP2), 'PASSWORD_USED_UP');
    expect(await pw.cancel(SHOP1, r.id)).toMatchObject({ state: 'cancelled', remainingMinor: 5_000 });
    const r2 = await pw.redeem(SHOP1, { requestId: 'r2', presented: { code }, amountMinor: 4_000, currency: 'JPY', capture: false });
    expect(await pw.capture(SHOP1, r2.id, 3_500)).toMatchObject({ state: 'captured', capturedMinor: 3_500, remainingMinor: 0 });
    expect((await pw.view(serial))!.state).toBe('used-up');
    expect(await balance('pw-funds@CREDIT-A')).toBe(-3_500); // 5,000 funded, 1,500 returned
    // A refund of a single-use password goes back to the issuer, not onto the password.
    expect(await pw.refund(SHOP1, r2.id, { requestId: 'f1', amountMinor: 500 })).toMatchObject({ restored: false, refundedMinor: 500, remainingMinor: 0 });
    expect(await balance('pw-funds@CREDIT-A')).toBe(-3_000);
  });

  it('reserve → capture (part) → refund onto the password; capture after the deadline is refused and the sweep releases it; refunds never exceed the capture', async () => {
    const { code } = await live({ amountMinor: 8_000 });
    const r = await pw.redeem(SHOP1, { requestId: 'o1', presented: { code }, amountMinor: 5_000, currency: 'JPY', capture: false, captureWithinMs: 60_000 });
    expect(await balance('pw-reserved')).toBe(5_000);
    const c = await pw.capture(SHOP1, r.id, 4_000);
    expect(c).toMatchObject({ capturedMinor: 4_000, remainingMinor: 4_000 });
    expect(await pw.capture(SHOP1, r.id, 4_000)).toEqual(c); // a retried capture
    await expectCode(pw.cancel(SHOP1, r.id), 'PASSWORD_REDEMPTION_STATE');
    await expectCode(pw.capture(SHOP2, r.id), 'PASSWORD_REDEMPTION_UNKNOWN');
    expect(await pw.refund(SHOP1, r.id, { requestId: 'back-1', amountMinor: 1_000 })).toMatchObject({ restored: true, remainingMinor: 5_000, refundedMinor: 1_000 });
    expect(await pw.refund(SHOP1, r.id, { requestId: 'back-1', amountMinor: 1_000 })).toMatchObject({ remainingMinor: 5_000, refundedMinor: 1_000 });
    await expectCode(pw.refund(SHOP1, r.id, { requestId: 'back-2', amountMinor: 3_001 }), 'PASSWORD_REDEMPTION_STATE');
    const late = await pw.redeem(SHOP1, { requestId: 'o2', presented: { code }, amountMinor: 1_000, currency: 'JPY', capture: false, captureWithinMs: 60_000 });
    clock.advance(60_001);
    await expectCode(pw.capture(SHOP1, late.id), 'PASSWORD_CAPTURE_DEADLINE');
    expect(await pw.sweep()).toMatchObject({ released: 1 });
    expect(await pw.redemption('m_1', late.id)).toMatchObject({ state: 'released', remainingMinor: 5_000 });
    expect(await balance('pw-reserved')).toBe(0);
  });

  it('refuses with its code: wrong payee, goods not allowed, another user, another currency, a guessed code', async () => {
    const shopOnly = await live({ payee: { kind: 'shop', id: 'SHOP-2' } });
    await expectCode(sale(shopOnly.code, 100, 'p1'), 'PASSWORD_WRONG_PAYEE');
    expect((await sale(shopOnly.code, 100, 'p2', SHOP2)).capturedMinor).toBe(100);
    const books = await live({ payee: { kind: 'category', id: 'BOOKS' } });
    await expectCode(sale(books.code, 100, 'c1', SHOP2), 'PASSWORD_WRONG_PAYEE');
    expect((await sale(books.code, 100, 'c2', SHOP1)).capturedMinor).toBe(100);
    const goods = await live({ goods: ['G01', 'G02'] });
    await expectCode(sale(goods.code, 100, 'g1'), 'PASSWORD_GOODS_NOT_ALLOWED');
    await expectCode(sale(goods.code, 100, 'g2', SHOP1, { goods: ['G01', 'G09'] }), 'PASSWORD_GOODS_NOT_ALLOWED');
    expect((await sale(goods.code, 100, 'g3', SHOP1, { goods: ['G02'] })).capturedMinor).toBe(100);
    const user = await live({ user: 'cust-7' });
    await expectCode(sale(user.code, 100, 'u1', SHOP1, { user: 'cust-8' }), 'PASSWORD_USER_MISMATCH');
    expect((await sale(user.code, 100, 'u2', SHOP1, { user: 'cust-7' })).capturedMinor).toBe(100);
    await expectCode(pw.redeem(SHOP1, { requestId: 'x1', presented: { code: user.code }, amountMinor: 1, currency: 'EUR', capture: true }), 'PASSWORD_CURRENCY_MISMATCH');
    await expectCode(sale('ZZZZ-ZZZZ-ZZZZ-ZZZZ', 100, 'guess'), 'PASSWORD_UNKNOWN');
  });

  it('a bearer QR spends like its code; a forged QR (a term changed) is refused', async () => {
    const { code, token } = await live({ amountMinor: 2_000 });
    const signed = decodeToken(token!);
    const qr = encodeBearerQr(signed, code.replace(/-/g, ''));
    expect(await pw.redeem(SHOP1, { requestId: 'q1', presented: { qr }, amountMinor: 500, currency: 'JPY', capture: true })).toMatchObject({ remainingMinor: 1_500 });
    const forged = Buffer.from(signed.termsBytes);
    forged.writeBigUInt64BE(900_000n, 42);
    const bad = encodeBearerQr({ ...signed, termsBytes: forged }, code.replace(/-/g, ''));
    await expectCode(pw.redeem(SHOP1, { requestId: 'q2', presented: { qr: bad }, amountMinor: 500, currency: 'JPY', capture: true }), 'PWTOKEN_BAD_SIGNATURE');
  });

  it('expiry: refused once past, and the sweep returns the unused value to the issuer (an open reservation first)', async () => {
    const { code, serial } = await live({ amountMinor: 3_000, expiresAtMs: T0 + 3_600_000 });
    const r = await pw.redeem(SHOP1, { requestId: 'e1', presented: { code }, amountMinor: 1_000, currency: 'JPY', capture: false });
    clock.advance(3_600_000);
    await expectCode(sale(code, 100, 'e2'), 'PASSWORD_EXPIRED');
    expect(await pw.sweep()).toMatchObject({ expired: 1 });
    expect((await pw.view(serial))!.state).toBe('expired'); // the reservation still holds 1,000
    expect(await balance('pw-outstanding')).toBe(0);
    expect(await pw.capture(SHOP1, r.id, 600)).toMatchObject({ capturedMinor: 600, remainingMinor: 0 });
    expect((await pw.view(serial))!.state).toBe('refunded');
    expect(await balance('pw-funds@CREDIT-A')).toBe(-600);
  });
});

describe('device binding and revocation', () => {
  it('a device-bound password is spent only by a fresh device QR, each counter once; its bare code is refused', async () => {
    const device = newKeyPair();
    const a = await pw.issue(issueReq({ binding: 'device', deviceKey: rawPublicKey(device.publicKey), amountMinor: 4_000 }));
    await pw.onOutcome({ passwordId: a.passwordId, outcome: 'delivered', channel: 'sms', atMs: T0 });
    const signed = decodeToken(a.token!);
    await expectCode(sale(delivery.code(a.passwordId), 100, 'bare'), 'PASSWORD_DEVICE_REQUIRED');
    const qr = (counter: number, o: { shopId?: string | null; amountMinor?: number | null; timeMs?: number } = {}) =>
      encodeDeviceQr(signed, { timeMs: o.timeMs ?? clock.nowMs(), counter, shopId: o.shopId === undefined ? 'SHOP-1' : o.shopId, amountMinor: o.amountMinor ?? null }, device.privateKey);
    const pay = (q: string, requestId: string, amountMinor = 1_000, shop = SHOP1) => pw.redeem(shop, { requestId, presented: { qr: q }, amountMinor, currency: 'JPY', capture: true });
    const first = qr(1);
    expect(await pay(first, 'd1')).toMatchObject({ remainingMinor: 3_000 });
    await expectCode(pay(first, 'd2'), 'PASSWORD_REPLAYED');
    await expectCode(pay(qr(2), 'd3', 1_000, SHOP2), 'PWTOKEN_PRESENTATION_MISMATCH');
    await expectCode(pay(qr(3, { amountMinor: 700 }), 'd4', 1_000), 'PWTOKEN_PRESENTATION_MISMATCH');
    await expectCode(pay(qr(4, { timeMs: clock.nowMs() - 120_001 }), 'd5'), 'PWTOKEN_STALE');
    await expectCode(pay(encodeDeviceQr(signed, { timeMs: clock.nowMs(), counter: 5, shopId: null, amountMinor: null }, newKeyPair().privateKey), 'd6'), 'PWTOKEN_BAD_DEVICE_SIGNATURE');
    expect(await pay(qr(6, { shopId: null, amountMinor: 500 }), 'd7', 500, SHOP2)).toMatchObject({ remainingMinor: 2_500 });
    await expectCode(pay(qr(5), 'd8'), 'PASSWORD_REPLAYED'); // an older counter after a newer one
  });

  it('the user revokes from the device (its signature), the issuer revokes a lost phone\'s passwords; the value goes back', async () => {
    const device = newKeyPair();
    const key = rawPublicKey(device.publicKey);
    const a = await live({ binding: 'device', deviceKey: key, amountMinor: 1_000 });
    const b = await live({ binding: 'device', deviceKey: key, amountMinor: 2_000 });
    const c = await live({ amountMinor: 500 });
    const serial = Buffer.from(a.serial, 'hex');
    await expectCode(pw.revokeFromDevice(a.serial, T0, ed25519Sign(revocationBytes(serial, T0), newKeyPair().privateKey)), 'PWTOKEN_BAD_DEVICE_SIGNATURE');
    expect(await pw.revokeFromDevice(a.serial, T0, ed25519Sign(revocationBytes(serial, T0), device.privateKey))).toMatchObject({ state: 'refunded', remainingMinor: 0 });
    // A third password of that phone, used up: revoking a lost phone revokes it too (a later refund must not make it spendable).
    const used = await live({ binding: 'device', deviceKey: key, amountMinor: 300 });
    const usedQr = encodeDeviceQr(decodeToken(used.token!), { timeMs: clock.nowMs(), counter: 1, shopId: null, amountMinor: null }, device.privateKey);
    const spent = await pw.redeem(SHOP1, { requestId: 'all', presented: { qr: usedQr }, amountMinor: 300, currency: 'JPY', capture: true });
    expect((await pw.view(used.serial))!.state).toBe('used-up');
    expect(await pw.revokeDevice('CREDIT-A', key)).toBe(2);
    expect((await pw.view(b.serial))!.state).toBe('refunded');
    expect(await pw.refund(SHOP1, spent.id, { requestId: 'back', amountMinor: 300 })).toMatchObject({ restored: false, remainingMinor: 0 });
    expect((await pw.view(c.serial))!.state).toBe('delivered');
    expect(await balance('pw-outstanding')).toBe(500);
    await expectCode(sale(a.code, 1, 'ra'), 'PASSWORD_DEVICE_REQUIRED');
    expect((await sale(c.code, 500, 'rc')).remainingMinor).toBe(0); // the bearer password of another device is untouched
  });
});
