/**
 * The voucher routes of the merchant API over real HTTP, served by a
 * `tessera center` process (world builder, `process: 'cli'`, SQLite file)
 * with a `voucher` and a `merchantApi` section: the PIN key in a 0600 file.
 * The test plays the settlement center's operator and the HQ on the same
 * database (issue, print, activate), and the shop through the typed client:
 * balance by header, two-PIN redemption, idempotent replays, capture,
 * cancel, refund, bad input answered with codes and nothing changed, PIN
 * guessing locked out with Retry-After; the audit holds and no PIN is in the
 * center's log.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MerchantClient, MerchantApiError } from '../../center/merchant-api/client.js';
import { MerchantRegistry } from '../../center/merchant-api/merchants.js';
import { openStorage } from '../../center/storage/open.js';
import type { Storage } from '../../center/storage/types.js';
import { MediumKinds } from '../../center/validity/kinds.js';
import { ValidityRepository } from '../../center/validity/repository.js';
import type { PrintableCard } from '../../center/voucher/api.js';
import { VOUCHER_AUDIT } from '../../center/voucher/audit-check.js';
import { VOUCHER_LIMITS } from '../../center/voucher/limits.js';
import { VOUCHER_MEDIUM_KIND } from '../../center/voucher/module.js';
import { Vouchers } from '../../center/voucher/vouchers.js';
import { systemClock } from '../../core/clock.js';
import { silentLogger } from '../../core/log.js';
import { systemRandom } from '../../core/random.js';
import { openWorld, type World } from '../../sim/world/world.js';
import { freeLoopbackPort } from '../../sim/world/terminals.js';

const PIN_KEY = Buffer.alloc(32, 9);
let world: World;
let storage: Storage;
let vouchers: Vouchers;
let cards: PrintableCard[];
let shop: MerchantClient;
let other: MerchantClient;
let baseUrl: string;
const prevLevel = process.env['TESSERA_LOG_LEVEL'];

const raw = async (method: string, path: string, o: { key: string; body?: unknown; headers?: Record<string, string> }) => {
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${o.key}`, ...(o.body !== undefined && { 'content-type': 'application/json' }), ...o.headers },
    ...(o.body !== undefined && { body: JSON.stringify(o.body) }),
  });
  return { status: res.status, headers: res.headers, json: (await res.json()) as { error?: { code: string; details?: Record<string, unknown> } } & Record<string, unknown> };
};
const balances = () => storage.read((q) => q.all('SELECT id, state, balance, held FROM voucher_cards ORDER BY id'));
const rejectsWith = async (p: Promise<unknown>, code: string, status: number) => {
  const e = await p.then(() => null, (x: unknown) => x);
  expect(e).toBeInstanceOf(MerchantApiError);
  expect(e).toMatchObject({ code, status });
};

let shopKey: string;
beforeAll(async () => {
  process.env['TESSERA_LOG_LEVEL'] = 'debug';
  const secrets = mkdtempSync(join(tmpdir(), 'voucher-keys-'));
  const pinKeyFile = join(secrets, 'voucher-pin.key');
  writeFileSync(pinKeyFile, PIN_KEY, { mode: 0o600 });
  const port = await freeLoopbackPort();
  world = await openWorld({
    center: {
      process: 'cli',
      cliReadyMs: 90_000,
      cliSections: {
        voucher: { pinKeyFile, hqs: [{ hqId: 'HQ-1', commissionBp: 250 }], sweepIntervalMs: 60_000 },
        merchantApi: { host: '127.0.0.1', port },
      },
    },
  });
  const ready = world.centerCli!.readyLine;
  expect(ready['merchantApi']).toBe(port);
  baseUrl = `http://127.0.0.1:${port}`;
  // The operator and the HQ, on the center's database: a batch printed, three cards sold.
  storage = await openStorage(join(world.dir, 'center.db'));
  const kinds = new MediumKinds();
  kinds.register(VOUCHER_MEDIUM_KIND);
  vouchers = await Vouchers.open({ storage, clock: systemClock, random: systemRandom, log: silentLogger, pinKey: PIN_KEY, validity: await ValidityRepository.open(storage, kinds) });
  const batch = await vouchers.issueBatch({ hqId: 'HQ-1', denomination: 1000, count: 6 });
  cards = [...(await vouchers.takeForPrinting(batch.batchId))];
  for (const [i, c] of cards.slice(0, 4).entries()) {
    await vouchers.activate({ requestId: `pos-${i}`, hqId: 'HQ-1', storeId: 'S1', terminalId: 'POS-1', serial: c.serial, amount: 1000, currency: 'JPY' });
  }
  const merchants = await MerchantRegistry.open(storage, systemClock, systemRandom);
  await merchants.add('web-shop');
  await merchants.add('other-shop');
  shopKey = (await merchants.addKey('web-shop')).key;
  shop = new MerchantClient({ baseUrl, apiKey: shopKey, attempts: 1 });
  other = new MerchantClient({ baseUrl, apiKey: (await merchants.addKey('other-shop')).key, attempts: 1 });
}, 120_000);

afterAll(async () => {
  await shop?.close();
  await other?.close();
  await storage?.close();
  await world?.close();
  if (prevLevel === undefined) delete process.env['TESSERA_LOG_LEVEL'];
  else process.env['TESSERA_LOG_LEVEL'] = prevLevel;
});

describe('the voucher routes of a tessera center process', () => {
  it('balance by the Voucher-Pin header; two PINs redeemed in one payment; the same Idempotency-Key replays it and nothing moves twice', async () => {
    expect(await shop.voucherBalance(cards[0]!.pin)).toMatchObject({ serialLast4: cards[0]!.serial.slice(-4), state: 'active', balance: 1000, currency: 'JPY' });
    const paid = await shop.redeemVouchers({ pins: [cards[0]!.pin, cards[1]!.pin], amount: 1500, orderRef: 'order-1' }, { idempotencyKey: 'pay-1' });
    expect(paid).toMatchObject({ status: 201, replayed: false, body: { state: 'captured', amount: 1500, captured: 1500 } });
    expect(paid.body.cards.map((c) => [c.taken, c.remaining])).toEqual([[1000, 0], [500, 500]]);
    const again = await shop.redeemVouchers({ pins: [cards[0]!.pin, cards[1]!.pin], amount: 1500, orderRef: 'order-1' }, { idempotencyKey: 'pay-1' });
    expect(again).toMatchObject({ status: 201, replayed: true, body: paid.body });
    expect(await shop.voucherRedemption(paid.body.redemptionId)).toEqual(paid.body);
    await rejectsWith(other.voucherRedemption(paid.body.redemptionId), 'VOUCHER_REDEMPTION_UNKNOWN', 404);
    const refund = await shop.refundVoucherRedemption(paid.body.redemptionId, 400, { idempotencyKey: 'refund-1' });
    expect(refund).toMatchObject({ status: 201, body: { state: 'partly-refunded', refunded: 400 } });
    expect((await shop.refundVoucherRedemption(paid.body.redemptionId, 400, { idempotencyKey: 'refund-1' })).replayed).toBe(true);
    await rejectsWith(shop.refundVoucherRedemption(paid.body.redemptionId, 2000), 'VOUCHER_REDEMPTION_STATE', 409);
    expect(await shop.voucherBalance(cards[1]!.pin)).toMatchObject({ balance: 900 });
  });

  it('authorise, capture part, cancel another: state answers over HTTP; capture after cancel is VOUCHER_REDEMPTION_STATE', async () => {
    const held = (await shop.redeemVouchers({ pins: [cards[2]!.pin], amount: 800, orderRef: 'order-2', capture: false })).body;
    expect(held).toMatchObject({ state: 'authorized', captured: 0 });
    expect(held.authExpiresAtMs).toBeGreaterThan(Date.now());
    const cap = await shop.captureVoucherRedemption(held.redemptionId, { amount: 600 });
    expect(cap.body).toMatchObject({ state: 'captured', captured: 600, cards: [{ taken: 600, remaining: 400 }] });
    const held2 = (await shop.redeemVouchers({ pins: [cards[3]!.pin], amount: 300, orderRef: 'order-3', capture: false })).body;
    expect((await shop.cancelVoucherRedemption(held2.redemptionId)).body).toMatchObject({ state: 'cancelled', cards: [{ taken: 0, remaining: 1000 }] });
    await rejectsWith(shop.captureVoucherRedemption(held2.redemptionId), 'VOUCHER_REDEMPTION_STATE', 409);
  });

  it('bad input gets a coded answer and changes nothing: no key, wrong shape, too little value, a PIN twice, too many cards, a reused key, a PIN in the URL', async () => {
    const before = await balances();
    const noKey = await raw('POST', '/v1/vouchers/redemptions', { key: shopKey, body: { pins: [cards[3]!.pin], amount: 1, orderRef: 'x' } });
    expect(noKey).toMatchObject({ status: 400, json: { error: { code: 'MERCHANT_IDEMPOTENCY_KEY_MISSING' } } });
    const shape = await raw('POST', '/v1/vouchers/redemptions', { key: shopKey, body: { pins: [cards[3]!.pin], amount: -5, orderRef: 'x' }, headers: { 'idempotency-key': 'bad-1' } });
    expect(shape).toMatchObject({ status: 400, json: { error: { code: 'HTTP_INVALID_REQUEST' } } });
    await rejectsWith(shop.redeemVouchers({ pins: [cards[3]!.pin], amount: 1001, orderRef: 'x' }), 'VOUCHER_INSUFFICIENT', 402);
    await rejectsWith(shop.redeemVouchers({ pins: [cards[3]!.pin, cards[3]!.pin], amount: 10, orderRef: 'x' }), 'VOUCHER_INVALID_INPUT', 400);
    await rejectsWith(shop.redeemVouchers({ pins: Array.from({ length: VOUCHER_LIMITS.cardsPerRedemptionMax + 1 }, (_, i) => String(i).padStart(16, '7')), amount: 10, orderRef: 'x' }), 'VOUCHER_TOO_MANY_CARDS', 400);
    await rejectsWith(shop.redeemVouchers({ pins: [cards[3]!.pin], amount: 10, orderRef: 'x' }, { idempotencyKey: 'pay-1' }), 'MERCHANT_IDEMPOTENCY_MISMATCH', 422);
    await rejectsWith(shop.captureVoucherRedemption('vr_nope'), 'VOUCHER_REDEMPTION_UNKNOWN', 404);
    const pinInUrl = await raw('GET', `/v1/vouchers/balance?pin=${cards[3]!.pin}`, { key: shopKey });
    expect(pinInUrl).toMatchObject({ status: 400, json: { error: { code: 'HTTP_INVALID_REQUEST' } } });
    expect(await balances()).toEqual(before);
  });

  it('a redemption is found by its order reference (the caller\'s own only, newest first, bounded); a bad query is a coded 400; the route is in /openapi.json', async () => {
    // A second redemption of order-1 (authorised, then cancelled) and another merchant's order-1.
    const second = (await shop.redeemVouchers({ pins: [cards[3]!.pin], amount: 100, orderRef: 'order-1', capture: false })).body;
    await shop.cancelVoucherRedemption(second.redemptionId);
    const others = (await other.redeemVouchers({ pins: [cards[3]!.pin], amount: 50, orderRef: 'order-1', capture: false })).body;
    await other.cancelVoucherRedemption(others.redemptionId);
    const mine = await shop.voucherRedemptionsByOrder('order-1');
    expect(mine.map((r) => [r.orderRef, r.state, r.amount, r.merchantId])).toEqual([
      ['order-1', 'cancelled', 100, second.merchantId],
      ['order-1', 'partly-refunded', 1500, second.merchantId],
    ]);
    expect(mine[1]).toEqual(await shop.voucherRedemption(mine[1]!.redemptionId));
    expect((await shop.voucherRedemptionsByOrder('order-1', { limit: 1 })).map((r) => r.redemptionId)).toEqual([second.redemptionId]);
    // Another merchant's order reference: an empty list, not its redemption.
    expect(await shop.voucherRedemptionsByOrder('order-3')).toHaveLength(1);
    expect((await other.voucherRedemptionsByOrder('order-3'))).toEqual([]);
    expect((await other.voucherRedemptionsByOrder('order-1')).map((r) => r.redemptionId)).toEqual([others.redemptionId]);
    expect(await shop.voucherRedemptionsByOrder('never-sent')).toEqual([]);
    for (const q of ['', '?orderRef=', `?orderRef=${'x'.repeat(65)}`, '?orderRef=order-1&limit=0', `?orderRef=order-1&limit=${VOUCHER_LIMITS.redemptionsByOrderMax + 1}`, '?orderRef=order-1&pin=1']) {
      const bad = await raw('GET', `/v1/vouchers/redemptions${q}`, { key: shopKey });
      expect({ q, status: bad.status, code: bad.json.error?.code }).toEqual({ q, status: 400, code: 'HTTP_INVALID_REQUEST' });
    }
    const doc = (await (await fetch(`${baseUrl}/openapi.json`)).json()) as { paths: Record<string, Record<string, { parameters?: Array<{ name: string; in: string }> }>> };
    expect(doc.paths['/v1/vouchers/redemptions']?.['get']?.parameters?.filter((p) => p.in === 'query').map((p) => p.name).sort()).toEqual(['limit', 'orderRef']);
  });

  it('PIN guessing: refusals reveal nothing, the key is locked out with Retry-After after the free failures, a good PIN then refused too', async () => {
    expect(await storage.read((q) => q.all('SELECT subject, failures FROM voucher_guesses'))).toEqual([]); // bad input above is not a guess
    await rejectsWith(other.voucherBalance(cards[5]!.pin), 'VOUCHER_PIN_REFUSED', 402); // printed but not sold
    for (let i = 1; i < VOUCHER_LIMITS.guessFailuresFreeCount; i++) await rejectsWith(other.redeemVouchers({ pins: [String(1000 + i).padStart(16, '0')], amount: 1, orderRef: 'g' }), 'VOUCHER_PIN_REFUSED', 402);
    const locked = await raw('GET', '/v1/vouchers/balance', { key: shopKey, headers: { 'voucher-pin': cards[3]!.pin } });
    expect(locked.status).toBe(429); // the same address: the address counter locks every key from it
    expect(locked.json.error).toMatchObject({ code: 'VOUCHER_LOCKED_OUT' });
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    const counts = await storage.read((q) => q.all('SELECT subject, failures FROM voucher_guesses ORDER BY subject'));
    expect(counts.map((r) => Number(r['failures']))).toEqual([VOUCHER_LIMITS.guessFailuresFreeCount, VOUCHER_LIMITS.guessFailuresFreeCount]);
  });

  it('the books: the shop\'s statement; voucher-liability equals the cards\' balances; no PIN in the center\'s log', async () => {
    expect(await shop.voucherStatement()).toMatchObject({ capturedMinor: 1500 + 600, refundedMinor: 400, paidOutMinor: 0, payableMinor: 1700, payouts: [] });
    const a = await storage.read((q) => VOUCHER_AUDIT.check(q));
    expect(a.examples).toEqual([]);
    const log = JSON.stringify(world.centerCli!.processes.flatMap((p) => p.lines));
    expect(log).toContain('vouchers running');
    for (const c of cards) expect(log).not.toContain(c.pin);
  });
});
