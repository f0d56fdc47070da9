/**
 * The merchant API on a real listener over a real SQLite center database,
 * called with fetch: API keys (several per merchant, revocable), the
 * merchant's own settlements and payouts with reconciliation ids and control
 * totals, the idempotent reconciliation POST, and every bad input answered
 * with a code while nothing changes in the database.
 */
import { join } from 'node:path';
import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { derivedId } from '../../../center/emoney/ledger-map.js';
import { createTestDatabase, type TestDatabase } from '../../support/postgres.js';
import { openStorage } from '../../../center/storage/open.js';
import { addBatch, count, hexId, raw, startHarness, type Harness } from './support.js';

let h: Harness;
let keyA: string;
let keyA2: string;
let keyB: string;
let keyWeb: string;
const B = { settled: hexId(1), acked: hexId(2), failed: hexId(3), awaiting: hexId(4), abandoned: hexId(5), instructed: hexId(6), other: hexId(9) };

beforeAll(async () => {
  h = await startHarness({ rateLimit: { max: 1_000, windowMs: 1_000 } });
  const s = h.storage;
  await addBatch(s, { id: B.settled, shopId: 'SHOP-A', state: 'settled', createdMs: 1_000, records: [{ amountMinor: 1_000, accepted: true }, { amountMinor: 500, accepted: true }] });
  await addBatch(s, { id: B.acked, shopId: 'SHOP-A', state: 'acked', createdMs: 2_000, records: [{ amountMinor: 700, accepted: true }] });
  await addBatch(s, { id: B.failed, shopId: 'SHOP-A', state: 'pay_failed', createdMs: 3_000, records: [{ amountMinor: 300, accepted: true }] });
  await addBatch(s, { id: B.awaiting, shopId: 'SHOP-A', state: 'awaiting_callback', createdMs: 4_000, records: [{ amountMinor: 80, accepted: true }] });
  await addBatch(s, { id: B.abandoned, shopId: 'SHOP-A', state: 'abandoned', createdMs: 5_000, records: [{ amountMinor: 90, accepted: true }] });
  await addBatch(s, { id: B.instructed, shopId: 'SHOP-A', state: 'instructed', createdMs: 6_000, records: [{ amountMinor: 200, accepted: true }, { amountMinor: 50, accepted: false }] });
  await addBatch(s, { id: B.other, shopId: 'SHOP-B', state: 'settled', createdMs: 1_500, records: [{ amountMinor: 9_999, accepted: true }] });
  const m = h.api.merchants;
  await m.add('shop-a', 'SHOP-A');
  await m.add('shop-b', 'SHOP-B');
  await m.add('web-only');
  keyA = (await m.addKey('shop-a', 'primary')).key;
  keyA2 = (await m.addKey('shop-a', 'rotation')).key;
  keyB = (await m.addKey('shop-b')).key;
  keyWeb = (await m.addKey('web-only')).key;
});

afterAll(async () => {
  await h?.close();
});

const get = (path: string, key: string | null = keyA) => raw(h.api.url, 'GET', path, key === null ? {} : { key });
const post = (path: string, body: string, headers: Record<string, string>, key: string = keyA) => raw(h.api.url, 'POST', path, { key, body, headers });

describe('settlements and payouts of the merchant', () => {
  it('lists only its own shop\'s settlements, oldest first, paged by cursor, with control totals over the whole filter', async () => {
    const p1 = await get('/v1/settlements?limit=4');
    expect(p1.status).toBe(200);
    expect(p1.json.items.map((s: { id: string }) => s.id)).toEqual([B.settled, B.acked, B.failed, B.awaiting]);
    expect(p1.json.controlTotals).toEqual([{ currency: 'JPY', count: 6, totalMinor: 1_500 + 700 + 300 + 200 }]);
    const p2 = await get(`/v1/settlements?limit=4&cursor=${p1.json.nextCursor}`);
    expect(p2.json.items.map((s: { id: string }) => s.id)).toEqual([B.abandoned, B.instructed]);
    expect(p2.json.nextCursor).toBeNull();
    const settled = p1.json.items[0];
    expect(settled).toMatchObject({ state: 'settled', totalMinor: 1_500, recordCount: 2, payoutId: derivedId(B.settled, 'PAY'), createdAtMs: 1_000 });
    expect(p1.json.items[3]).toMatchObject({ state: 'awaiting_callback', totalMinor: 0, payoutId: null });
    const filtered = await get('/v1/settlements?state=settled&createdFromMs=0&createdToMs=2000');
    expect(filtered.json.items.map((s: { id: string }) => s.id)).toEqual([B.settled]);
    expect(filtered.json.controlTotals).toEqual([{ currency: 'JPY', count: 1, totalMinor: 1_500 }]);
  });

  it('shows one settlement with its payments and control totals, and the payout that paid it', async () => {
    const d = await get(`/v1/settlements/${B.instructed}`);
    expect(d.status).toBe(200);
    expect(d.json.payments).toEqual([
      { cardId: '0000000000000007', cardCounter: 60_000, amountMinor: 200, currency: 'JPY', status: 'accepted' },
      { cardId: '0000000000000007', cardCounter: 60_001, amountMinor: 50, currency: 'JPY', status: 'forged' },
    ]);
    expect(d.json.controlTotals).toEqual({ recordCount: 2, acceptedCount: 1, acceptedTotalMinor: 200 });
    expect(d.json.payout).toBeNull();
    const p = await get(`/v1/settlements/${B.settled}/payout`);
    expect(p.json).toEqual({
      id: derivedId(B.settled, 'PAY'), settlementId: B.settled, state: 'paid', amountMinor: 1_500, currency: 'JPY', bankCode: '0001',
      resultCode: 'OK', ledgerTransferId: derivedId(B.settled, 'SHOP_PAID'), updatedAtMs: 1_005,
    });
    expect((await get(`/v1/settlements/${B.instructed}/payout`)).json.error.code).toBe('MERCHANT_NOT_FOUND');
  });

  it('lists payouts (pending, paid, failed) with their bank transfer ids and control totals', async () => {
    const all = await get('/v1/payouts');
    expect(all.json.items.map((p: { settlementId: string; state: string }) => [p.settlementId, p.state])).toEqual([
      [B.settled, 'paid'], [B.acked, 'pending'], [B.failed, 'failed'],
    ]);
    expect(all.json.items[2]).toMatchObject({ resultCode: 'BANK_ACCOUNT_CLOSED', ledgerTransferId: null });
    expect(all.json.controlTotals).toEqual([{ currency: 'JPY', count: 3, totalMinor: 2_500 }]);
    const paid = await get('/v1/payouts?state=paid');
    expect(paid.json.items.map((p: { id: string }) => p.id)).toEqual([derivedId(B.settled, 'PAY')]);
  });

  it('never shows another merchant\'s settlement (404), and a merchant without a shop has none', async () => {
    for (const path of [`/v1/settlements/${B.other}`, `/v1/settlements/${B.other}/payout`]) {
      const r = await get(path);
      expect(r.status).toBe(404);
      expect(r.json.error.code).toBe('MERCHANT_NOT_FOUND');
    }
    expect((await get(`/v1/settlements/${B.other}`, keyB)).json.settlement.totalMinor).toBe(9_999);
    const web = await get('/v1/settlements', keyWeb);
    expect(web.json).toEqual({ items: [], nextCursor: null, controlTotals: [] });
    expect((await get('/v1/merchant', keyWeb)).json).toMatchObject({ name: 'web-only', shopId: null });
  });
});

describe('listings served again from the answer cache', () => {
  it('show a batch changed or added by another writer on the very next request (SQLite: a second connection to the file)', async () => {
    const other = await openStorage(join(h.dir, 'center.db'));
    try {
      const first = await get('/v1/settlements', keyB);
      expect(first.json.items.map((s: { id: string; state: string }) => [s.id, s.state])).toEqual([[B.other, 'settled']]);
      expect((await get('/v1/settlements', keyB)).json).toEqual(first.json);
      expect((await get('/v1/payouts', keyB)).json.controlTotals).toEqual([{ currency: 'JPY', count: 1, totalMinor: 9_999 }]);
      await other.transact((tx) => tx.run("UPDATE emoney_batches SET state = 'pay_failed', code = 'BANK_ACCOUNT_CLOSED' WHERE id = ?", [B.other]));
      const changed = await get('/v1/settlements', keyB);
      expect(changed.json.items.map((s: { id: string; state: string }) => [s.id, s.state])).toEqual([[B.other, 'pay_failed']]);
      expect((await get('/v1/payouts', keyB)).json.items.map((p: { state: string; resultCode: string }) => [p.state, p.resultCode])).toEqual([['failed', 'BANK_ACCOUNT_CLOSED']]);
      await addBatch(other, { id: hexId(10), shopId: 'SHOP-B', state: 'acked', createdMs: 9_000, records: [{ amountMinor: 1, accepted: true }] });
      const added = await get('/v1/settlements', keyB);
      expect(added.json.items.map((s: { id: string }) => s.id)).toEqual([B.other, hexId(10)]);
      expect(added.json.controlTotals).toEqual([{ currency: 'JPY', count: 2, totalMinor: 10_000 }]);
      // Another shop's change leaves this one's answers alone, and they stay right.
      await other.transact((tx) => tx.run("UPDATE emoney_batches SET updated_ms = updated_ms + 1 WHERE shop_id = 'SHOP-A'"));
      expect((await get('/v1/settlements', keyB)).json).toEqual(added.json);
      await other.transact(async (tx) => {
        await tx.run('DELETE FROM emoney_batches WHERE id = ?', [hexId(10)]);
        await tx.run("UPDATE emoney_batches SET state = 'settled', code = 'OK' WHERE id = ?", [B.other]);
        await tx.run("UPDATE emoney_batches SET updated_ms = updated_ms - 1 WHERE shop_id = 'SHOP-A'");
      });
      expect((await get('/v1/settlements', keyB)).json).toEqual(first.json);
    } finally {
      await other.close();
    }
  });
});

describe('API keys', () => {
  it('refuses a request without a key, with a malformed, an unknown or a revoked one (401, coded); a second key of the merchant keeps working', async () => {
    expect((await get('/v1/merchant', null)).json.error.code).toBe('MERCHANT_UNAUTHENTICATED');
    expect((await raw(h.api.url, 'GET', '/v1/merchant', { headers: { authorization: 'Basic abc' } })).json.error.code).toBe('MERCHANT_UNAUTHENTICATED');
    const forged = `${keyA.slice(0, -4)}0000` === keyA ? `${keyA.slice(0, -4)}1111` : `${keyA.slice(0, -4)}0000`;
    const r = await get('/v1/merchant', forged);
    expect(r.status).toBe(401);
    expect(r.json.error.code).toBe('MERCHANT_UNAUTHENTICATED');
    const extra = await h.api.merchants.addKey('shop-a', 'to-revoke');
    expect((await get('/v1/merchant', extra.key)).json.keyId).toBe(extra.keyId);
    await h.api.merchants.revokeKey(extra.keyId);
    const revoked = await get('/v1/merchant', extra.key);
    expect(revoked.status).toBe(401);
    expect(revoked.json.error).toMatchObject({ code: 'MERCHANT_KEY_REVOKED', details: { keyId: extra.keyId } });
    expect((await get('/v1/merchant', keyA2)).json.name).toBe('shop-a');
    const keys = await h.api.merchants.listKeys('shop-a');
    expect(keys.map((k) => [k.label, k.revokedMs !== null])).toEqual([['primary', false], ['rotation', false], ['to-revoke', true]]);
  });

  it('stores only a hash of each key: no key (nor its secret part) is in the database', async () => {
    const rows = await h.storage.read((q) => q.all('SELECT * FROM merchant_api_keys'));
    const dump = JSON.stringify(rows);
    for (const k of [keyA, keyA2, keyB, keyWeb]) {
      expect(dump).not.toContain(k);
      expect(dump).not.toContain(k.slice(-64));
    }
  });
});

describe('POST /v1/reconciliations (idempotent)', () => {
  const body = JSON.stringify({ settlementIds: [B.settled, B.acked], declared: { count: 2, totalMinor: 2_200, currency: 'JPY' } });

  it('records a reconciliation once per Idempotency-Key: the same request replays the stored answer, another body is a 422 and changes nothing', async () => {
    const first = await post('/v1/reconciliations', body, { 'idempotency-key': 'rec-1' });
    expect(first.status).toBe(201);
    expect(first.headers.get('idempotent-replayed')).toBe('false');
    expect(first.json).toMatchObject({ matched: true, expected: { count: 2, totalMinor: 2_200, currency: 'JPY' }, settlementIds: [B.settled, B.acked] });
    expect(await count(h.storage, 'merchant_reconciliations')).toBe(1);
    // The same request with its keys in another order is the same request.
    const again = await post('/v1/reconciliations', JSON.stringify({ declared: { currency: 'JPY', totalMinor: 2_200, count: 2 }, settlementIds: [B.settled, B.acked] }), { 'idempotency-key': 'rec-1' });
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.json).toEqual(first.json);
    const other = await post('/v1/reconciliations', JSON.stringify({ settlementIds: [B.settled], declared: { count: 1, totalMinor: 1, currency: 'JPY' } }), { 'idempotency-key': 'rec-1' });
    expect(other.status).toBe(422);
    expect(other.json.error.code).toBe('MERCHANT_IDEMPOTENCY_MISMATCH');
    expect(await count(h.storage, 'merchant_reconciliations')).toBe(1);
    expect((await get(`/v1/reconciliations/${first.json.id}`)).json).toEqual(first.json);
    // Keys are per merchant: shop-b's 'rec-1' is its own (and its settlement list does not include shop-a's).
    const b = await post('/v1/reconciliations', body, { 'idempotency-key': 'rec-1' }, keyB);
    expect(b.json.error.code).toBe('MERCHANT_NOT_FOUND');
    expect((await get(`/v1/reconciliations/${first.json.id}`, keyB)).status).toBe(404);
  });

  it('refuses two Idempotency-Key header lines (Node would join them into one key) with MERCHANT_IDEMPOTENCY_KEY_INVALID, nothing recorded', async () => {
    const before = await count(h.storage, 'merchant_reconciliations');
    const { request } = await import('node:http');
    const answer = await new Promise<{ status: number; json: any }>((resolve, reject) => {
      const u = new URL(`${h.api.url}/v1/reconciliations`);
      const req = request(
        { host: u.hostname, port: u.port, path: u.pathname, method: 'POST', headers: { authorization: `Bearer ${keyA}`, 'content-type': 'application/json', 'idempotency-key': ['rec-two-a', 'rec-two-b'] } },
        (res) => {
          let text = '';
          res.on('data', (c) => (text += c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) }));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
    expect({ status: answer.status, code: answer.json.error.code }).toEqual({ status: 400, code: 'MERCHANT_IDEMPOTENCY_KEY_INVALID' });
    expect(await count(h.storage, 'merchant_reconciliations')).toBe(before);
  });

  it('records differing control totals as not matched', async () => {
    const r = await post('/v1/reconciliations', JSON.stringify({ settlementIds: [B.failed], declared: { count: 1, totalMinor: 299, currency: 'JPY' } }), { 'idempotency-key': 'rec-diff' });
    expect(r.status).toBe(201);
    expect(r.json).toMatchObject({ matched: false, expected: { count: 1, totalMinor: 300 }, declared: { totalMinor: 299 } });
  });

  it('answers every bad request with a code and changes nothing in the database', async () => {
    const before = { rec: await count(h.storage, 'merchant_reconciliations'), idem: await count(h.storage, 'merchant_idempotency') };
    const cases: [string, Promise<{ status: number; json: any }>, number, string][] = [
      ['no Idempotency-Key', post('/v1/reconciliations', body, {}), 400, 'MERCHANT_IDEMPOTENCY_KEY_MISSING'],
      ['empty Idempotency-Key', post('/v1/reconciliations', body, { 'idempotency-key': '' }), 400, 'MERCHANT_IDEMPOTENCY_KEY_INVALID'],
      ['too long Idempotency-Key', post('/v1/reconciliations', body, { 'idempotency-key': 'k'.repeat(256) }), 400, 'MERCHANT_IDEMPOTENCY_KEY_INVALID'],
      ['malformed JSON', post('/v1/reconciliations', '{"settlementIds": [', { 'idempotency-key': 'bad-1' }), 400, 'HTTP_BAD_JSON'],
      ['unknown field', post('/v1/reconciliations', JSON.stringify({ ...JSON.parse(body), note: 'x' }), { 'idempotency-key': 'bad-2' }), 400, 'HTTP_INVALID_REQUEST'],
      ['wrong type', post('/v1/reconciliations', JSON.stringify({ settlementIds: [B.settled], declared: { count: '1', totalMinor: 1, currency: 'JPY' } }), { 'idempotency-key': 'bad-3' }), 400, 'HTTP_INVALID_REQUEST'],
      ['negative amount', post('/v1/reconciliations', JSON.stringify({ settlementIds: [B.settled], declared: { count: 1, totalMinor: -1, currency: 'JPY' } }), { 'idempotency-key': 'bad-4' }), 400, 'HTTP_INVALID_REQUEST'],
      ['huge body', post('/v1/reconciliations', JSON.stringify({ settlementIds: [B.settled], pad: 'x'.repeat(200_000) }), { 'idempotency-key': 'bad-5' }), 413, 'HTTP_BODY_TOO_LARGE'],
      ['another merchant\'s settlement', post('/v1/reconciliations', JSON.stringify({ settlementIds: [B.other], declared: { count: 1, totalMinor: 9_999, currency: 'JPY' } }), { 'idempotency-key': 'bad-6' }), 404, 'MERCHANT_NOT_FOUND'],
      ['a settlement not booked', post('/v1/reconciliations', JSON.stringify({ settlementIds: [B.awaiting], declared: { count: 1, totalMinor: 80, currency: 'JPY' } }), { 'idempotency-key': 'bad-7' }), 409, 'MERCHANT_SETTLEMENT_OPEN'],
      ['wrong method', raw(h.api.url, 'DELETE', '/v1/reconciliations', { key: keyA }), 405, 'HTTP_METHOD_NOT_ALLOWED'],
      ['no API key', raw(h.api.url, 'POST', '/v1/reconciliations', { body, headers: { 'idempotency-key': 'bad-8' } }), 401, 'MERCHANT_UNAUTHENTICATED'],
      ['unknown query field', get('/v1/settlements?limit=2&sort=desc'), 400, 'HTTP_INVALID_REQUEST'],
      ['limit out of range', get('/v1/settlements?limit=100000'), 400, 'HTTP_INVALID_REQUEST'],
      ['forged cursor', get('/v1/settlements?cursor=bm90LWEtY3Vyc29y'), 400, 'HTTP_INVALID_REQUEST'],
    ];
    for (const [name, call, status, code] of cases) {
      const r = await call;
      expect({ name, status: r.status, code: r.json?.error?.code }).toEqual({ name, status, code });
      expect(JSON.stringify(r.json)).not.toMatch(/at .*\.ts:\d+/);
    }
    expect({ rec: await count(h.storage, 'merchant_reconciliations'), idem: await count(h.storage, 'merchant_idempotency') }).toEqual(before);
    // A refused request stored nothing under its key: the same key with a good request runs.
    const ok = await post('/v1/reconciliations', JSON.stringify({ settlementIds: [B.failed], declared: { count: 1, totalMinor: 300, currency: 'JPY' } }), { 'idempotency-key': 'bad-6' });
    expect(ok.status).toBe(201);
  });
});

describe('what is public and what is never shown', () => {
  it('publishes an OpenAPI document that validates and covers every /v1/ route', async () => {
    const doc = (await raw(h.api.url, 'GET', '/openapi.json')).json;
    const v = new Validator();
    const res = await v.validate(doc);
    expect(res.errors ?? []).toEqual([]);
    expect(res.valid).toBe(true);
    expect(Object.keys(doc.paths).filter((p) => p.startsWith('/v1/')).sort()).toEqual([
      '/v1/merchant', '/v1/payouts', '/v1/reconciliations', '/v1/reconciliations/{id}', '/v1/settlements', '/v1/settlements/{id}', '/v1/settlements/{id}/payout',
    ]);
    expect(JSON.stringify(doc.paths['/v1/reconciliations'].post.parameters)).toContain('idempotency-key');
  });

  it('never writes an API key to the log or into an error answer', async () => {
    const bad = await get('/v1/merchant', `${keyA}x`);
    expect(JSON.stringify(bad.json)).not.toContain(keyA.slice(-64));
    const log = h.logLines.join('\n');
    expect(h.logLines.length).toBeGreaterThan(0);
    for (const k of [keyA, keyA2, keyB, keyWeb]) expect(log).not.toContain(k.slice(-64));
  });
});

describe('per-key rate limit', () => {
  let r: Harness;
  let k1: string;
  let k2: string;

  beforeAll(async () => {
    r = await startHarness({ rateLimit: { max: 3, windowMs: 60_000 } });
    await addBatch(r.storage, { id: hexId(1), shopId: 'SHOP-A', state: 'settled', createdMs: 1_000, records: [{ amountMinor: 100, accepted: true }] });
    await r.api.merchants.add('shop-a', 'SHOP-A');
    k1 = (await r.api.merchants.addKey('shop-a')).key;
    k2 = (await r.api.merchants.addKey('shop-a')).key;
  });

  afterAll(async () => {
    await r?.close();
  });

  it('answers a coded 429 with Retry-After once a key has spent its budget, does nothing for it, and leaves the merchant\'s other key its own budget', async () => {
    const body = JSON.stringify({ settlementIds: [hexId(1)], declared: { count: 1, totalMinor: 100, currency: 'JPY' } });
    for (let i = 0; i < 3; i++) expect((await raw(r.api.url, 'GET', '/v1/merchant', { key: k1 })).status).toBe(200);
    const limited = await raw(r.api.url, 'POST', '/v1/reconciliations', { key: k1, body, headers: { 'idempotency-key': 'rl-1' } });
    expect(limited.status).toBe(429);
    expect(limited.json.error.code).toBe('MERCHANT_RATE_LIMITED');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(Number(limited.headers.get('retry-after'))).toBeLessThanOrEqual(20);
    expect(await count(r.storage, 'merchant_reconciliations')).toBe(0);
    expect(await count(r.storage, 'merchant_idempotency')).toBe(0);
    const other = await raw(r.api.url, 'POST', '/v1/reconciliations', { key: k2, body, headers: { 'idempotency-key': 'rl-1' } });
    expect(other.status).toBe(201);
    expect(await count(r.storage, 'merchant_reconciliations')).toBe(1);
    // An unauthenticated flood spends no key's budget (the key is judged first).
    for (let i = 0; i < 5; i++) expect((await raw(r.api.url, 'GET', '/v1/merchant', { key: `${k2.slice(0, -1)}x` })).status).toBe(401);
    expect((await raw(r.api.url, 'GET', '/v1/merchant', { key: k2 })).status).toBe(200);
  });
});

describe('on PostgreSQL', () => {
  let p: Harness;
  let db: TestDatabase;
  let key: string;

  beforeAll(async () => {
    db = await createTestDatabase('merchant_api');
    p = await startHarness({ db: db.url });
    for (let i = 1; i <= 3; i++) {
      await addBatch(p.storage, { id: hexId(i), shopId: 'SHOP-P', state: i === 3 ? 'acked' : 'settled', createdMs: i * 1_000, records: [{ amountMinor: i * 100, accepted: true }] });
    }
    await p.api.merchants.add('shop-p', 'SHOP-P');
    key = (await p.api.merchants.addKey('shop-p')).key;
  });

  afterAll(async () => {
    await p?.close();
    await db?.drop();
  });

  it('serves the same listings, control totals and idempotent reconciliation', async () => {
    const page1 = await raw(p.api.url, 'GET', '/v1/settlements?limit=2', { key });
    expect(page1.json.items.map((s: { id: string }) => s.id)).toEqual([hexId(1), hexId(2)]);
    expect(page1.json.controlTotals).toEqual([{ currency: 'JPY', count: 3, totalMinor: 600 }]);
    const page2 = await raw(p.api.url, 'GET', `/v1/settlements?limit=2&cursor=${page1.json.nextCursor}`, { key });
    expect(page2.json.items.map((s: { id: string }) => s.id)).toEqual([hexId(3)]);
    expect((await raw(p.api.url, 'GET', '/v1/payouts?state=pending', { key })).json.items.map((x: { settlementId: string }) => x.settlementId)).toEqual([hexId(3)]);
    const body = JSON.stringify({ settlementIds: [hexId(1), hexId(2)], declared: { count: 2, totalMinor: 300, currency: 'JPY' } });
    const first = await raw(p.api.url, 'POST', '/v1/reconciliations', { key, body, headers: { 'idempotency-key': 'pg-1' } });
    const again = await raw(p.api.url, 'POST', '/v1/reconciliations', { key, body, headers: { 'idempotency-key': 'pg-1' } });
    const other = await raw(p.api.url, 'POST', '/v1/reconciliations', { key, body: body.replace('300', '301'), headers: { 'idempotency-key': 'pg-1' } });
    expect([first.status, again.status, other.status]).toEqual([201, 201, 422]);
    expect(first.json.matched).toBe(true);
    expect(again.json).toEqual(first.json);
    expect(other.json.error.code).toBe('MERCHANT_IDEMPOTENCY_MISMATCH');
    expect(await count(p.storage, 'merchant_reconciliations')).toBe(1);
  });

  it('shows a batch another node changed on the next listing (the answer cache checks the shop\'s version in the database)', async () => {
    const before = await raw(p.api.url, 'GET', '/v1/payouts', { key });
    expect(before.json.controlTotals).toEqual([{ currency: 'JPY', count: 3, totalMinor: 600 }]);
    const node2 = await openStorage(db.url);
    try {
      await node2.transact((tx) => tx.run("UPDATE emoney_batches SET state = 'settled', updated_ms = 77 WHERE id = ?", [hexId(3)]));
    } finally {
      await node2.close();
    }
    const after = await raw(p.api.url, 'GET', '/v1/payouts', { key });
    expect(after.json.items.map((x: { state: string; updatedAtMs: number }) => [x.state, x.updatedAtMs])).toEqual([['paid', 1_005], ['paid', 2_005], ['paid', 77]]);
    expect((await raw(p.api.url, 'GET', '/v1/payouts?state=pending', { key })).json).toEqual({ items: [], nextCursor: null, controlTotals: [] });
  });
});
