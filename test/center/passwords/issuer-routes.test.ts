/**
 * The issuer routes (/v1/issuer/) on a real merchant API listener over a
 * real SQLite database, through the typed IssuerClient: only an issuer's key
 * gets in; issue is idempotent by the Idempotency-Key (one password, one
 * delivery; other fields with the same key refused); the MSISDN is
 * normalised to what the delivery side accepts; an issuer sees, revokes and
 * gets returns of its own passwords only; the daily file's control totals.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MerchantClient, type MerchantApiError } from '../../../center/merchant-api/client.js';
import { startMerchantApi, type MerchantApi } from '../../../center/merchant-api/server.js';
import { PasswordsClient } from '../../../center/passwords/client.js';
import { MSISDN_RE } from '../../../center/passwords/delivery-port.js';
import { IssuerClient } from '../../../center/passwords/issuer-client.js';
import { utcDay } from '../../../center/passwords/issuer.js';
import { passwordIssuerContribution } from '../../../center/passwords/issuer-routes.js';
import { passwordMerchantContribution } from '../../../center/passwords/merchant-routes.js';
import { passwordsSectionSchema } from '../../../center/passwords/config-schema.js';
import { passwordsModule } from '../../../center/passwords/module.js';
import type { Passwords } from '../../../center/passwords/passwords.js';
import { openStorage } from '../../../center/storage/open.js';
import type { Storage } from '../../../center/storage/types.js';
import { systemClock } from '../../../core/clock.js';
import { silentLogger } from '../../../core/log.js';
import { systemRandom } from '../../../core/random.js';
import { audit, openCore, type RecordingDelivery } from './support.js';

let dir: string;
let storage: Storage;
let api: MerchantApi;
let pw: Passwords;
let delivery: RecordingDelivery;
const merchants: MerchantClient[] = [];
let creditA: IssuerClient;
let creditB: IssuerClient;
let shopAsIssuer: IssuerClient;
let shop: PasswordsClient;
let creditAsShop: PasswordsClient;
let creditMerchant: MerchantClient;
const ISSUER_CLIENTS = { 'credit-a': 'CREDIT-A', 'credit-b': 'CREDIT-B' };

const merchantClient = (apiKey: string): MerchantClient => {
  const m = new MerchantClient({ baseUrl: api.url, apiKey, attempts: 1 });
  merchants.push(m);
  return m;
};
const codeOf = async (p: Promise<unknown>): Promise<{ code: string; status: number }> => {
  try {
    await p;
  } catch (e) {
    return { code: (e as MerchantApiError).code, status: (e as MerchantApiError).status };
  }
  return { code: 'none', status: 200 };
};
const sms = (address: string, amountMinor = 5_000) => ({ amountMinor, currency: 'JPY', channel: 'sms' as const, address });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pw-issuer-'));
  storage = await openStorage(join(dir, 'center.db'));
  ({ pw, delivery } = await openCore(storage, systemClock));
  api = await startMerchantApi({
    storage, host: '127.0.0.1', port: 0, clock: systemClock, random: systemRandom, log: silentLogger, rateLimit: { max: 1_000, windowMs: 1_000 },
    contributions: [passwordMerchantContribution(pw, ISSUER_CLIENTS), passwordIssuerContribution(pw, ISSUER_CLIENTS)],
  });
  await api.merchants.add('credit-a');
  await api.merchants.add('credit-b');
  await api.merchants.add('shop-a', 'SHOP-1');
  const creditKey = (await api.merchants.addKey('credit-a')).key;
  creditA = new IssuerClient(merchantClient(creditKey));
  creditMerchant = merchantClient(creditKey);
  creditAsShop = new PasswordsClient(creditMerchant);
  creditB = new IssuerClient(merchantClient((await api.merchants.addKey('credit-b')).key));
  const shopKey = (await api.merchants.addKey('shop-a')).key;
  shopAsIssuer = new IssuerClient(merchantClient(shopKey));
  shop = new PasswordsClient(merchantClient(shopKey));
});
afterAll(async () => {
  expect(await audit(storage)).toEqual([]);
  for (const c of merchants) await c.close();
  await api?.close();
  await storage?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('/v1/issuer/', () => {
  it('lets only an issuer key in: no key 401, a shop key 403 PASSWORD_NOT_ISSUER, a POST without Idempotency-Key refused', async () => {
    const anonymous = new IssuerClient(merchantClient('tk_0000000000000000_nope'));
    expect((await codeOf(anonymous.returns())).status).toBe(401);
    expect(await codeOf(shopAsIssuer.issue('shop-1', sms('819012345678')))).toEqual({ code: 'PASSWORD_NOT_ISSUER', status: 403 });
    expect(await codeOf(shopAsIssuer.dailyFile(utcDay(Date.now())))).toEqual({ code: 'PASSWORD_NOT_ISSUER', status: 403 });
    const m = merchants[0]!;
    expect((await codeOf(m.call('POST', '/v1/issuer/passwords', sms('819012345678')))).status).toBe(400);
  });

  it('issues once per Idempotency-Key (a retry answers the same password, one delivery) and refuses the key with other fields', async () => {
    const first = await creditA.issue('order-1', sms('819011110001'));
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ state: 'issued', amountMinor: 5_000, currency: 'JPY', replayed: false });
    expect(first.body.token).toMatch(/^TPW1:/);
    const again = await creditA.issue('order-1', sms('819011110001'));
    expect(again.replayed).toBe(true);
    expect(again.body).toMatchObject({ serial: first.body.serial, replayed: true, token: first.body.token });
    expect([...delivery.sent.keys()].filter((k) => k === first.body.serial)).toHaveLength(1);
    expect(await codeOf(creditA.issue('order-1', sms('819011110001', 6_000)))).toEqual({ code: 'PASSWORD_EXISTS_WITH_DIFFERENT_FIELDS', status: 409 });
    // Another issuer's request id space is its own.
    const b = await creditB.issue('order-1', sms('819011110001'));
    expect(b.body.serial).not.toBe(first.body.serial);
  });

  it('refuses an issuer\'s key on the shop routes (403 PASSWORD_NOT_SHOP: it cannot verify, sell, read a statement) and nothing is booked to it', async () => {
    const a = await creditA.issue('order-not-shop', sms('819011110077'));
    await pw.onOutcome({ passwordId: a.body.serial, outcome: 'delivered', channel: 'sms', atMs: Date.now() });
    const code = delivery.code(a.body.serial);
    expect(await codeOf(creditAsShop.verify({ code }))).toEqual({ code: 'PASSWORD_NOT_SHOP', status: 403 });
    expect(await codeOf(creditAsShop.redeem({ code }, { amountMinor: 1_000, currency: 'JPY' }))).toEqual({ code: 'PASSWORD_NOT_SHOP', status: 403 });
    expect(await codeOf(creditMerchant.call('GET', '/v1/passwords/statement'))).toEqual({ code: 'PASSWORD_NOT_SHOP', status: 403 });
    expect(await creditA.password(a.body.serial)).toMatchObject({ state: 'delivered', remainingMinor: 5_000 });
    // A shop's key still sells.
    expect((await shop.redeem({ code }, { amountMinor: 1_000, currency: 'JPY' })).body).toMatchObject({ state: 'captured', remainingMinor: 4_000 });
  });

  it('refuses a currency the TTP does not hold: 400 PASSWORD_BAD_REQUEST naming field currency (no 500, nothing booked); /openapi.json names the currency', async () => {
    let err: MerchantApiError | undefined;
    await creditA.issue('order-eur', { ...sms('819011110078'), currency: 'EUR' }).catch((e: MerchantApiError) => { err = e; });
    expect(err).toMatchObject({ code: 'PASSWORD_BAD_REQUEST', status: 400, details: { field: 'currency' } });
    expect(err!.message).toContain('JPY');
    // The request id stays free: the same key in JPY issues.
    expect((await creditA.issue('order-eur', sms('819011110078'))).body).toMatchObject({ currency: 'JPY', replayed: false });
    const doc = (await (await fetch(`${api.url}/openapi.json`)).json()) as { paths: Record<string, { post?: { requestBody?: { content: Record<string, { schema: { properties: Record<string, { description?: string }> } }> } } }> };
    const body = doc.paths['/v1/issuer/passwords']!.post!.requestBody!.content['application/json']!.schema;
    expect(body.properties['currency']!.description).toMatch(/^JPY only/);
  });

  it('normalises the MSISDN to the delivery side\'s 6-15 digits (a + was handed over as it was, and refused there) and refuses what is no MSISDN', async () => {
    const a = await creditA.issue('order-msisdn', sms('+81 90-1234-5678'));
    const sent = delivery.sent.get(a.body.serial)!;
    expect(sent.address).toBe('819012345678');
    expect(MSISDN_RE.test(sent.address)).toBe(true);
    // The same number spelled the other way is the same request (no second password).
    const again = await creditA.issue('order-msisdn', sms('819012345678'));
    expect(again.body).toMatchObject({ serial: a.body.serial, replayed: true });
    expect(await codeOf(creditA.issue('order-short', sms('+12345')))).toEqual({ code: 'PASSWORD_BAD_REQUEST', status: 400 });
    expect(await codeOf(creditA.issue('order-long', sms('+1234567890123456')))).toEqual({ code: 'PASSWORD_BAD_REQUEST', status: 400 });
  });

  it('shows, revokes and returns an issuer\'s own passwords only; returns and the daily file add up', async () => {
    const day = utcDay(Date.now());
    const before = await creditA.dailyFile(day);
    // A single-use password spent in part: the rest comes back. A partial one revoked: all of it comes back.
    const single = (await creditA.issue('order-single', { ...sms('819011110002', 8_000), partial: false })).body;
    await pw.onOutcome({ passwordId: single.serial, outcome: 'delivered', channel: 'sms', atMs: Date.now() });
    const sale = await shop.redeem({ code: delivery.code(single.serial) }, { amountMinor: 3_000, currency: 'JPY' });
    expect(sale.body).toMatchObject({ state: 'captured', capturedMinor: 3_000 });
    const revoked = (await creditA.issue('order-revoke', sms('819011110003', 4_000))).body;
    expect(await codeOf(creditB.revoke(revoked.serial))).toEqual({ code: 'PASSWORD_UNKNOWN', status: 404 });
    expect(await codeOf(creditB.password(revoked.serial))).toEqual({ code: 'PASSWORD_UNKNOWN', status: 404 });
    const r = await creditA.revoke(revoked.serial, { requestId: 'revoke-1' });
    expect(r.body).toMatchObject({ state: 'refunded', remainingMinor: 0, returnedMinor: 4_000, reason: 'revoked by CREDIT-A', requestId: 'order-revoke' });
    expect((await creditA.revoke(revoked.serial, { requestId: 'revoke-1' })).body.state).toBe('refunded');
    expect(await creditA.password(single.serial)).toMatchObject({ state: 'used-up', returnedMinor: 5_000 });

    // Returns: paged by the cursor, each once.
    const all = [];
    let after: string | null = null;
    for (let i = 0; i < 10; i++) {
      const page = await creditA.returns({ after, limit: 1 });
      all.push(...page.returns);
      after = page.next;
      if (!after) break;
    }
    expect(new Set(all.map((x) => x.returnId)).size).toBe(all.length);
    expect(all.filter((x) => x.serial === single.serial).map((x) => x.amountMinor)).toEqual([5_000]);
    expect(all.filter((x) => x.serial === revoked.serial)).toMatchObject([{ amountMinor: 4_000, requestId: 'order-revoke', reason: 'revoked by CREDIT-A' }]);
    expect((await creditB.returns()).returns.some((x) => x.serial === revoked.serial)).toBe(false);

    const file = await creditA.dailyFile(day);
    expect(file.issued).toEqual({ count: before.issued.count + 2, totalMinor: before.issued.totalMinor + 12_000 });
    expect(file.returned).toEqual({ count: before.returned.count + 2, totalMinor: before.returned.totalMinor + 9_000 });
    expect(file.used.captured).toEqual({ count: before.used.captured.count + 1, totalMinor: before.used.captured.totalMinor + 3_000 });
    // The control totals are the sums of the lines.
    const sum = (k: string) => file.lines.filter((l) => l.kind === k).reduce((s, l) => s + l.amountMinor, 0);
    expect([sum('issue'), sum('return'), sum('capture')]).toEqual([file.issued.totalMinor, file.returned.totalMinor, file.used.captured.totalMinor]);
    expect(file.lines.filter((l) => l.serial === revoked.serial).map((l) => l.kind)).toEqual(['issue', 'return']);
    expect(await codeOf(creditA.dailyFile('2026-13-01'))).toEqual({ code: 'PASSWORD_BAD_REQUEST', status: 400 });
    expect((await creditA.dailyFile('2001-01-01')).issued).toEqual({ count: 0, totalMinor: 0 });
  });

  it('the module refuses issuerClients naming an issuer the section does not serve (what --check runs)', () => {
    const ttpKeyFile = join(dir, 'ttp.key');
    writeFileSync(ttpKeyFile, `${'5a'.repeat(32)}\n`, { mode: 0o600 });
    const section = passwordsSectionSchema.parse({ ttpKeyFile, issuers: ['CREDIT-A'], issuerClients: { 'credit-a': 'CREDIT-A', 'credit-x': 'CREDIT-X' } });
    let e: unknown = null;
    try {
      passwordsModule().check?.(section);
    } catch (x) {
      e = x;
    }
    expect(e).toMatchObject({ code: 'PASSWORD_ISSUER_UNKNOWN', details: { field: 'passwords.issuerClients.credit-x' } });
    expect(() => passwordsModule().check?.({ ...section, issuerClients: { 'credit-a': 'CREDIT-A' } })).not.toThrow();
  });
});
