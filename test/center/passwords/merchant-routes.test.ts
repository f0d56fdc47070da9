/**
 * The /v1/passwords/ routes on a real merchant API listener over a real
 * SQLite database, called through the typed client: a sale replayed by its
 * Idempotency-Key answers the stored result; reserve → capture → refund and
 * cancel; another merchant cannot reach a redemption; an online shop's sales
 * are booked to its shop id; guessed codes lock out the guessing API key only
 * (not the address) while honest refusals do not count, and an operator lifts
 * the lockout through the admin API (audited); the routes are in /openapi.json.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MerchantClient, type MerchantApiError } from '../../../center/merchant-api/client.js';
import { startMerchantApi, type MerchantApi } from '../../../center/merchant-api/server.js';
import { PasswordsClient } from '../../../center/passwords/client.js';
import { passwordMerchantContribution } from '../../../center/passwords/merchant-routes.js';
import type { Passwords } from '../../../center/passwords/passwords.js';
import { unbookedPayoutShops } from '../../../center/passwords/payouts.js';
import { openStorage } from '../../../center/storage/open.js';
import type { Storage } from '../../../center/storage/types.js';
import { systemClock } from '../../../core/clock.js';
import { silentLogger } from '../../../core/log.js';
import { systemRandom } from '../../../core/random.js';
import { audit, issueReq, openCore, type RecordingDelivery } from './support.js';
import { Operators } from '../../../center/admin/operators.js';
import { startAdminServer } from '../../../center/admin/server.js';
import { passwordsAdminRoutes } from '../../../center/passwords/admin-routes.js';
import { decodeToken, encodeDeviceQr, newKeyPair, rawPublicKey } from '../../../protocol/password/index.js';

let dir: string;
let storage: Storage;
let api: MerchantApi;
let pw: Passwords;
let delivery: RecordingDelivery;
const clients: MerchantClient[] = [];
let shopA: PasswordsClient;
let shopB: PasswordsClient;
let guesser: PasswordsClient;
let shopAId: string;
let guesserKeyId: string;
let shopAMerchant: MerchantClient;

const client = (apiKey: string): PasswordsClient => {
  const m = new MerchantClient({ baseUrl: api.url, apiKey, attempts: 1 });
  clients.push(m);
  return new PasswordsClient(m);
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pw-routes-'));
  storage = await openStorage(join(dir, 'center.db'));
  ({ pw, delivery } = await openCore(storage, systemClock));
  api = await startMerchantApi({
    storage, host: '127.0.0.1', port: 0, clock: systemClock, random: systemRandom, log: silentLogger, rateLimit: { max: 1_000, windowMs: 1_000 },
    contributions: [passwordMerchantContribution(pw)],
  });
  shopAId = (await api.merchants.add('shop-a', 'SHOP-1')).id;
  await api.merchants.add('shop-b', 'SHOP-2');
  shopA = client((await api.merchants.addKey('shop-a')).key);
  shopAMerchant = clients[clients.length - 1]!;
  shopB = client((await api.merchants.addKey('shop-b')).key);
  const g = await api.merchants.addKey('shop-b', 'guessing');
  guesserKeyId = g.keyId;
  guesser = client(g.key);
});
afterAll(async () => {
  expect(await audit(storage)).toEqual([]);
  for (const c of clients) await c.close();
  await api?.close();
  await storage?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function live(amountMinor: number): Promise<string> {
  const a = await pw.issue(issueReq({ amountMinor }));
  await pw.onOutcome({ passwordId: a.passwordId, outcome: 'delivered', channel: 'sms', atMs: systemClock.nowMs() });
  return delivery.code(a.passwordId);
}
const codeOf = async (p: Promise<unknown>): Promise<{ code: string; status: number }> => {
  try {
    await p;
  } catch (e) {
    return { code: (e as MerchantApiError).code, status: (e as MerchantApiError).status };
  }
  return { code: 'none', status: 200 };
};

describe('/v1/passwords/', () => {
  it('verifies, sells once per request id (a retry gets the stored answer), reserves, captures, refunds and cancels', async () => {
    const code = await live(5_000);
    expect((await shopA.verify({ code })).body).toMatchObject({ spendable: true, amountMinor: 5_000, remainingMinor: 5_000, binding: 'bearer' });
    const sale = await shopA.redeem({ code }, { amountMinor: 1_000, currency: 'JPY' }, { requestId: 'order-1' });
    expect(sale).toMatchObject({ status: 201, replayed: false, body: { state: 'captured', capturedMinor: 1_000, remainingMinor: 4_000 } });
    const again = await shopA.redeem({ code }, { amountMinor: 1_000, currency: 'JPY' }, { requestId: 'order-1' });
    expect(again).toMatchObject({ status: 201, replayed: true, body: sale.body });
    const held = (await shopA.redeem({ code }, { amountMinor: 2_000, currency: 'JPY', capture: false })).body;
    expect(held).toMatchObject({ state: 'reserved', remainingMinor: 2_000 });
    expect((await shopA.capture(held.id, 1_500)).body).toMatchObject({ state: 'captured', capturedMinor: 1_500, remainingMinor: 2_500 });
    expect((await shopA.refund(held.id, 500)).body).toMatchObject({ restored: true, refundedMinor: 500, remainingMinor: 3_000 });
    expect(await shopA.redemption(held.id)).toMatchObject({ state: 'captured', refundedMinor: 500 });
    const other = (await shopA.redeem({ code }, { amountMinor: 100, currency: 'JPY', capture: false })).body;
    expect((await shopA.cancel(other.id)).body).toMatchObject({ state: 'cancelled', remainingMinor: 3_000 });
    // Another merchant cannot see or touch it.
    expect(await codeOf(shopB.redemption(held.id))).toEqual({ code: 'PASSWORD_REDEMPTION_UNKNOWN', status: 404 });
    expect(await codeOf(shopB.capture(other.id))).toEqual({ code: 'PASSWORD_REDEMPTION_UNKNOWN', status: 404 });
    expect(await codeOf(shopA.redeem({ code }, { amountMinor: 9_000, currency: 'JPY' }))).toEqual({ code: 'PASSWORD_OVER_AMOUNT', status: 422 });
  });

  it('books an online shop\'s sales to its shop id, the id its terminals sell under: one payable, one statement; the payout config check names ids nothing books to', async () => {
    const code = await live(2_000);
    // In store: the terminal's shop is its owner id (sale-flow.ts), request id pos:<terminal>:<hex>.
    await pw.sell({ merchantId: 'SHOP-1', shopId: 'SHOP-1' }, { requestId: 'pos:POS-1:0000000a', presented: { code }, amountMinor: 700, currency: 'JPY' });
    const online = (await shopA.redeem({ code }, { amountMinor: 300, currency: 'JPY' }, { requestId: 'web-order-1' })).body;
    expect(online).toMatchObject({ state: 'captured', remainingMinor: 1_000 });
    const st = (await shopAMerchant.call<{ merchantId: string; payableMinor: number; sales: Array<{ requestId: string }> }>('GET', '/v1/passwords/statement')).body;
    expect(st.merchantId).toBe('SHOP-1');
    expect(st.sales.map((x) => x.requestId)).toEqual(expect.arrayContaining(['pos:POS-1:0000000a', 'web-order-1']));
    const accounts = await storage.read((q) => q.all<{ id: string; bal: unknown }>("SELECT id, credits_posted - debits_posted AS bal FROM ledger_accounts WHERE id LIKE 'pw-payable@%' ORDER BY id"));
    expect(accounts.map((a) => a.id)).not.toContain(`pw-payable@${shopAId}`);
    expect(Number(accounts.find((a) => a.id === 'pw-payable@SHOP-1')?.bal)).toBe(st.payableMinor);
    // The online request id space may not take the tills' ids (they share the shop's books).
    expect(await codeOf(shopA.redeem({ code }, { amountMinor: 100, currency: 'JPY' }, { requestId: 'pos:POS-1:0000000b' }))).toEqual({ code: 'PASSWORD_BAD_REQUEST', status: 400 });
    // Payout config: the shop id is booked to; the merchant id of a merchant with a shop id, or an unknown id, pays nobody.
    expect(await unbookedPayoutShops(storage, ['SHOP-1', shopAId, 'NOPE'])).toEqual([
      { index: 1, merchantId: shopAId, bookedAs: 'SHOP-1' },
      { index: 2, merchantId: 'NOPE', bookedAs: null },
    ]);
  });

  it('locks out the guessing API key only (not the address other shops share); honest mistakes do not count; an operator lifts it (audited)', async () => {
    const code = await live(1_000);
    for (let i = 0; i < 12; i++) expect((await codeOf(shopB.redeem({ code }, { amountMinor: 5_000, currency: 'JPY' }))).code).toBe('PASSWORD_OVER_AMOUNT');
    // A device QR replayed and one signed for another amount: refusals of a real password presented as it is, not guesses.
    const device = newKeyPair();
    const a = await pw.issue(issueReq({ binding: 'device', deviceKey: rawPublicKey(device.publicKey), amountMinor: 4_000 }));
    await pw.onOutcome({ passwordId: a.passwordId, outcome: 'delivered', channel: 'sms', atMs: systemClock.nowMs() });
    const qr = (counter: number, amountMinor: number | null) => encodeDeviceQr(decodeToken(a.token!), { timeMs: systemClock.nowMs(), counter, shopId: 'SHOP-2', amountMinor }, device.privateKey);
    const first = qr(1, 500);
    expect((await shopB.redeem({ qr: first }, { amountMinor: 500, currency: 'JPY' })).body).toMatchObject({ remainingMinor: 3_500 });
    for (let i = 0; i < 6; i++) expect((await codeOf(shopB.redeem({ qr: first }, { amountMinor: 500, currency: 'JPY' }))).code).toBe('PASSWORD_REPLAYED');
    for (let i = 0; i < 6; i++) expect((await codeOf(shopB.redeem({ qr: qr(10 + i, 700) }, { amountMinor: 500, currency: 'JPY' }))).code).toBe('PWTOKEN_PRESENTATION_MISMATCH');
    expect((await shopB.verify({ code })).body).toMatchObject({ spendable: true });

    for (let i = 0; i < 9; i++) expect((await codeOf(guesser.verify({ code: `ZZZZZZZZZZZZ${String(1000 + i)}` }))).code).toBe('PASSWORD_UNKNOWN');
    expect(await codeOf(guesser.verify({ qr: 'TPQ1:AAAA' }))).toEqual({ code: 'PWTOKEN_MALFORMED', status: 400 }); // the 10th failure
    let locked: MerchantApiError | undefined;
    await guesser.verify({ code }).catch((e: MerchantApiError) => { locked = e; });
    expect(locked).toMatchObject({ code: 'PASSWORD_LOCKED_OUT', status: 429, details: { scope: `key:${guesserKeyId}` } });
    // The same address, other keys (another shop, and the guesser's own merchant's other key): not locked.
    expect((await shopA.redeem({ code }, { amountMinor: 100, currency: 'JPY' })).body).toMatchObject({ state: 'captured' });
    expect((await shopB.verify({ code })).body).toMatchObject({ spendable: true });
    expect((await pw.lockout.list()).filter((l) => l.locked).map((l) => l.scope)).toEqual([`key:${guesserKeyId}`]);

    // The operator lifts it through the admin API: an audit-trail row with the reason; the key looks up again at once.
    const admin = await startAdminServer({ storage, ledger: pw.ledger, contributors: [passwordsAdminRoutes(pw)] });
    try {
      const op = await new Operators(storage, systemRandom).add('op-ko', 'operator', 0);
      const call = async (method: string, path: string, body?: unknown) => {
        const res = await fetch(`${admin.url}${path}`, { method, headers: { authorization: `Bearer ${op}`, ...(body !== undefined && { 'content-type': 'application/json' }) }, ...(body !== undefined && { body: JSON.stringify(body) }) });
        return { status: res.status, json: (await res.json()) as Record<string, unknown> };
      };
      expect((await call('GET', '/passwords/lockouts')).json['items']).toContainEqual(expect.objectContaining({ scope: `key:${guesserKeyId}`, locked: true, failures: 10 }));
      expect(await call('POST', '/passwords/lockouts/unlock', { scope: `key:${guesserKeyId}`, reason: 'shop confirmed a mistyped batch' })).toEqual({ status: 200, json: { scope: `key:${guesserKeyId}`, wasLocked: true } });
      expect((await call('POST', '/passwords/lockouts/unlock', { scope: 'nope', reason: 'bad scope' })).status).toBe(400);
      const trail = await storage.read((q) => q.all("SELECT actor, route, target_ids, outcome, reason FROM admin_audit_trail WHERE route = '/passwords/lockouts/unlock' AND outcome = 'ok'"));
      expect(trail).toEqual([{ actor: 'op-ko', route: '/passwords/lockouts/unlock', target_ids: JSON.stringify([`key:${guesserKeyId}`]), outcome: 'ok', reason: 'shop confirmed a mistyped batch' }]);
    } finally {
      await admin.close();
    }
    expect((await guesser.verify({ code })).body).toMatchObject({ spendable: true });
    const res = await fetch(`${api.url}/openapi.json`);
    const doc = (await res.json()) as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths).filter((p) => p.startsWith('/v1/passwords'))).toEqual([
      '/v1/passwords/verify', '/v1/passwords/redemptions', '/v1/passwords/redemptions/{id}', '/v1/passwords/redemptions/{id}/capture',
      '/v1/passwords/redemptions/{id}/cancel', '/v1/passwords/statement', '/v1/passwords/daily-file', '/v1/passwords/redemptions/{id}/refunds',
    ]);
  });
});
