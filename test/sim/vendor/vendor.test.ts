/**
 * The vendor simulator (sim/vendor) on a real SQLite file behind its real
 * fastify app (inject), with the prepaid center's answers from a double of
 * its PaymentSource: an order's price and payee; a receipt only for a
 * payment the center confirms for exactly the price; the receipt verifies
 * offline with the key GET /vendor publishes; idempotent by order (the same
 * bytes, one licence); one payment pays one order; the center unreachable
 * changes nothing; the reconciliation against the center's statement.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TesseraError } from '../../../core/errors.js';
import { systemClock } from '../../../core/clock.js';
import { receiptSigningKey, verifyReceipt } from '../../../protocol/prepaid/receipt.js';
import { DEFAULT_CATALOGUE } from '../../../sim/vendor/catalogue.js';
import { buildVendorApp } from '../../../sim/vendor/server.js';
import { VendorStore } from '../../../sim/vendor/store.js';
import { Vendor, type PaymentSource } from '../../../sim/vendor/vendor.js';

const SEED = Buffer.alloc(32, 7);
const payments = new Map<string, { requestId: string; vendorId: string; amountMinor: number; currency: string; paidAtMs: number }>();
let centerDown = false;
let asked = 0;
const source: PaymentSource = {
  payment: async (requestId) => {
    asked++;
    if (centerDown) throw new TesseraError('MERCHANT_UNAVAILABLE', 'no answer');
    return payments.get(requestId) ?? null;
  },
  statement: async () => ({ paymentsCount: payments.size, paidMinor: [...payments.values()].reduce((s, p) => s + p.amountMinor, 0), paidOutMinor: 1_200, pendingMinor: 0, payableMinor: 300, payouts: [{ payoutId: 'pp_1', state: 'paid', amountMinor: 1_200, transferId: 'ab'.repeat(16), code: 'OK' }] }),
};
let dir: string;
let store: VendorStore;
let vendor: Vendor;
let app: ReturnType<typeof buildVendorApp>;
let n = 0;
const rid = (): string => (n++).toString(16).padStart(32, '0');
const paid = (amountMinor: number, vendorId = 'VENDOR-1'): string => {
  const requestId = rid();
  payments.set(requestId, { requestId, vendorId, amountMinor, currency: 'JPY', paidAtMs: 1_764_547_200_000 + n });
  return requestId;
};
const call = async (method: 'GET' | 'POST', url: string, payload?: unknown) => {
  const r = await app.inject({ method, url, ...(payload !== undefined && { payload: payload as Record<string, unknown> }) });
  return { status: r.statusCode, json: r.json() as Record<string, any> };
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vendor-'));
  store = new VendorStore(join(dir, 'vendor.db'), systemClock);
  vendor = new Vendor({ vendorId: 'VENDOR-1', name: 'Test vendor', currency: 'JPY', catalogue: DEFAULT_CATALOGUE }, store, receiptSigningKey(SEED), SEED, source);
  app = buildVendorApp(vendor);
  await app.ready();
});
afterAll(async () => {
  await app?.close();
  store?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('vendor simulator', () => {
  it('answers a paid registration with a receipt that verifies offline and a licence key; the same payment again gets the same bytes and no second licence', async () => {
    const info = await call('GET', '/vendor');
    expect(info.json).toMatchObject({ vendorId: 'VENDOR-1', publicKey: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(statSync(join(dir, 'vendor.db')).mode & 0o077).toBe(0);
    const order = await call('POST', '/orders', { itemCode: 'SW-EDITOR' });
    expect(order).toMatchObject({ status: 201, json: { amountMinor: 1_200, currency: 'JPY', payee: 'VENDOR-1', state: 'new', kind: 'registration' } });
    const id = String(order.json['orderId']);
    const requestId = paid(1_200);
    const r1 = await call('POST', `/orders/${id}/payment`, { requestId });
    expect(r1.status).toBe(200);
    expect(r1.json['licenceKey']).toMatch(/^[0-9A-HJKMNP-TV-Z]{5}(-[0-9A-HJKMNP-TV-Z]{5}){3}$/);
    const receipt = verifyReceipt(Buffer.from(String(r1.json['receipt']), 'base64'), Buffer.from(String(info.json['publicKey']), 'hex'));
    expect(receipt).toMatchObject({ kind: 'registration', vendorId: 'VENDOR-1', orderId: id, requestId, itemCode: 'SW-EDITOR', amountMinor: 1_200, licenceKey: r1.json['licenceKey'] });
    expect(r1.json['text']).toContain(`licence key: ${r1.json['licenceKey']}`);
    const before = asked;
    const r2 = await call('POST', `/orders/${id}/payment`, { requestId });
    expect(r2.json).toEqual(r1.json);
    expect(asked).toBe(before);
    expect(store.events(id)).toEqual(['ordered', 'paid, licence issued']);
    expect((await call('GET', `/orders/${id}`)).json).toMatchObject({ state: 'paid', requestId, receipt: r1.json['receipt'] });
    // The licence is the vendor's function of the order: rebuilt, it is the same (what a crash before the store relies on).
    expect(vendor.licenceKey({ orderId: id, itemCode: 'SW-EDITOR' })).toBe(r1.json['licenceKey']);
  });

  it('refuses a payment the center does not have, one for another price or vendor, a second payment of a paid order, and one payment for two orders', async () => {
    const id = String((await call('POST', '/orders', { itemCode: 'GD-MANUAL' })).json['orderId']);
    expect(await call('POST', `/orders/${id}/payment`, { requestId: rid() })).toMatchObject({ status: 402, json: { error: { code: 'VENDOR_PAYMENT_NOT_FOUND' } } });
    expect(await call('POST', `/orders/${id}/payment`, { requestId: paid(499) })).toMatchObject({ status: 402, json: { error: { code: 'VENDOR_PAYMENT_MISMATCH' } } });
    expect(await call('POST', `/orders/${id}/payment`, { requestId: paid(500, 'VENDOR-2') })).toMatchObject({ status: 402, json: { error: { code: 'VENDOR_PAYMENT_NOT_FOUND' } } });
    expect(await call('POST', `/orders/${id}/payment`, { requestId: 'not-hex' })).toMatchObject({ status: 400, json: { error: { code: 'VENDOR_BAD_INPUT' } } });
    expect(await call('POST', '/orders', { itemCode: 'NOPE' })).toMatchObject({ status: 400, json: { error: { code: 'VENDOR_BAD_INPUT' } } });
    expect(await call('GET', '/orders/o_missing')).toMatchObject({ status: 404, json: { error: { code: 'VENDOR_ORDER_UNKNOWN' } } });
    const good = paid(500);
    const r = await call('POST', `/orders/${id}/payment`, { requestId: good });
    expect(r.status).toBe(200);
    expect(r.json['licenceKey']).toBeNull();
    expect(await call('POST', `/orders/${id}/payment`, { requestId: paid(500) })).toMatchObject({ status: 409, json: { error: { code: 'VENDOR_ORDER_PAID' } } });
    const id2 = String((await call('POST', '/orders', { itemCode: 'GD-MANUAL' })).json['orderId']);
    expect(await call('POST', `/orders/${id2}/payment`, { requestId: good })).toMatchObject({ status: 409, json: { error: { code: 'VENDOR_PAYMENT_USED' } } });
  });

  it('changes nothing while the center cannot be asked (503), answers the retry once it can, and reconciles against the center\'s statement', async () => {
    const id = String((await call('POST', '/orders', { itemCode: 'SW-ARCHIVER' })).json['orderId']);
    const requestId = paid(800);
    centerDown = true;
    expect(await call('POST', `/orders/${id}/payment`, { requestId })).toMatchObject({ status: 503, json: { error: { code: 'VENDOR_CENTER_UNAVAILABLE' } } });
    expect(store.order(id)).toMatchObject({ state: 'new', requestId: null, receipt: null });
    centerDown = false;
    expect((await call('POST', `/orders/${id}/payment`, { requestId })).status).toBe(200);
    const st = (await call('GET', '/statement')).json;
    const centerPaid = [...payments.values()].reduce((s, p) => s + p.amountMinor, 0);
    expect(st).toMatchObject({ ordersPaid: 3, ordersPaidMinor: 1_200 + 500 + 800, centerPaidMinor: centerPaid, unclaimedMinor: centerPaid - 2_500, paidOutMinor: 1_200, payouts: [{ payoutId: 'pp_1', state: 'paid' }] });
  });
});
