/**
 * The prepaid center's vendors and payouts in a real center (startCenter,
 * SQLite on disk, the merchant API and admin listeners over HTTP): a vendor
 * finds a payment to itself by the holder's request id and lists its
 * payments by date, and sees nothing of another vendor's; vendors' payables
 * and providers' fees are paid out through the seed-004 relay to an
 * in-process bank host with a reconciliation id, once, and a bank refusal
 * makes the value payable again; the admin API lists frozen media with their
 * clone records and recovers one (audited with its reason).
 */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Operators } from '../../../center/admin/operators.js';
import { auditLedger } from '../../../center/ledger/audit.js';
import { MerchantClient, MerchantApiError } from '../../../center/merchant-api/client.js';
import type { MerchantApi } from '../../../center/merchant-api/server.js';
import { centerModules } from '../../../center/modules.js';
import { PREPAID_AUDIT } from '../../../center/prepaid/audit-check.js';
import { PAYOUTS, prepaidCenterAt, providerFee, vendorPayable } from '../../../center/prepaid/ledger-map.js';
import { PREPAID_MODULE, prepaidModule, prepaidPayoutsOf } from '../../../center/prepaid/module.js';
import type { Prepaid } from '../../../center/prepaid/prepaid.js';
import { Relay } from '../../../center/relay/relay.js';
import type { AccountRef } from '../../../center/relay/types.js';
import { parseCenterConfig } from '../../../center/server/config.js';
import { startCenter, type Center } from '../../../center/server/start-center.js';
import { systemRandom } from '../../../core/random.js';
import { readMediumFile } from '../../../protocol/prepaid/medium.js';
import { BankHost } from '../../../sim/bank/bank-host.js';
import { keyDir } from '../server/support.js';

const k = keyDir();
let center: Center;
let prepaid: Prepaid;
let bank: BankHost;
let centerAcct: AccountRef;
let vendorAcct: AccountRef;
let providerAcct: AccountRef;
let vendorA: MerchantClient;
let vendorB: MerchantClient;
let notVendor: MerchantClient;
let adminUrl: string;
let operatorToken: string;
let n = 0;
const rid = (): string => createHash('sha256').update(`vendors-${n++}`).digest('hex').slice(0, 32);

beforeAll(async () => {
  bank = await BankHost.open({ bankCode: '0001', name: 'Bank One', db: ':memory:' });
  centerAcct = await bank.openAccount({ branchCode: '001', accountNumber: '7000001', holder: 'prepaid center', role: 'provider', pin: '4321', openingMinor: 100_000 });
  vendorAcct = await bank.openAccount({ branchCode: '002', accountNumber: '8000001', holder: 'vendor one', role: 'merchant', pin: '0000' });
  providerAcct = await bank.openAccount({ branchCode: '002', accountNumber: '8000002', holder: 'provider one', role: 'merchant', pin: '0000' });
  const modules = [
    ...centerModules().filter((m) => m.name !== PREPAID_MODULE),
    prepaidModule({
      secrets: { masterKey: Buffer.alloc(32, 0x42), issuerId: 7, currency: 'JPY' },
      vendors: [{ vendorId: 'VENDOR-1', merchant: 'vendor-one' }, { vendorId: 'VENDOR-2', merchant: 'vendor-two' }],
      payouts: {
        relay: new Relay({ adapters: [bank] }),
        vendors: new Map([['VENDOR-1', vendorAcct]]),
        providers: new Map([['PROVIDER-1', providerAcct]]),
        centerAccounts: new Map([['0001', { ...centerAcct, securityCode: '4321' }]]),
      },
      sweepIntervalMs: null,
    }),
  ];
  const config = parseCenterConfig({ listen: { port: 0 }, db: join(k.dir, 'center.db'), admin: { port: 0 }, merchantApi: { port: 0 }, terminalKeys: { masterKeyFile: k.masterKeyFile } }, modules);
  center = await startCenter(config, modules);
  prepaid = center.module<Prepaid>(PREPAID_MODULE);
  const api = center.module<MerchantApi>('merchant-api');
  await api.merchants.add('vendor-one');
  await api.merchants.add('vendor-two');
  await api.merchants.add('plain-shop');
  const client = async (name: string) => new MerchantClient({ baseUrl: api.url, apiKey: (await api.merchants.addKey(name)).key, attempts: 1 });
  vendorA = await client('vendor-one');
  vendorB = await client('vendor-two');
  notVendor = await client('plain-shop');
  adminUrl = center.admin!.url;
  operatorToken = await new Operators(center.storage, systemRandom).add('op-anna', 'operator', 0);
});
afterAll(async () => {
  for (const c of [vendorA, vendorB, notVendor]) await c?.close();
  await center?.close();
  await bank?.close();
  k.remove();
});

/** A medium issued and confirmed: its current file. */
async function medium(amountMinor: number): Promise<{ id: string; file: Buffer }> {
  const r = await prepaid.issue({ requestId: rid(), amountMinor, currency: 'JPY', terminalId: 'KIOSK-1' });
  await prepaid.confirm(r.file!, 'TEST');
  return { id: r.mediumId, file: r.file! };
}
/** A use booked and its new generation confirmed: the new file. */
async function pay(file: Buffer, kind: 'vendor' | 'provider-fee', payee: string, amountMinor: number, requestId = rid()): Promise<Buffer> {
  const r = await prepaid.use({ requestId, shown: file, kind, payee, amountMinor, currency: 'JPY', source: 'PROVIDER-1' });
  await prepaid.confirm(r.file!, 'PROVIDER-1');
  return r.file!;
}
const codeOf = (p: Promise<unknown>) => p.then(() => ({ code: 'OK', status: 200 }), (e: MerchantApiError) => ({ code: e.code, status: e.status }));
const admin = async (method: string, path: string, body?: unknown) => {
  const res = await fetch(`${adminUrl}${path}`, { method, headers: { authorization: `Bearer ${operatorToken}`, ...(body !== undefined && { 'content-type': 'application/json' }) }, ...(body !== undefined && { body: JSON.stringify(body) }) });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
};
const balance = async (id: string) => {
  const [a] = await prepaid.ledger.lookupAccounts([id]);
  return a ? a.creditsPostedMinor - a.debitsPostedMinor : 0;
};

describe('prepaid vendors on the merchant API', () => {
  it('a vendor finds its payment by request id and lists its payments by date; another vendor, a plain merchant and a provider fee see nothing of it', async () => {
    let m = await medium(5_000);
    const first = rid();
    const t0 = Date.now();
    m = { ...m, file: await pay(m.file, 'vendor', 'VENDOR-1', 1_200, first) };
    m = { ...m, file: await pay(m.file, 'provider-fee', 'PROVIDER-1', 100) };
    const second = rid();
    m = { ...m, file: await pay(m.file, 'vendor', 'VENDOR-1', 800, second) };
    const other = rid();
    await pay(m.file, 'vendor', 'VENDOR-2', 300, other);

    const p = (await vendorA.call('GET', `/v1/prepaid/payments/${first}`)).body;
    expect(p).toEqual({ requestId: first, vendorId: 'VENDOR-1', amountMinor: 1_200, currency: 'JPY', paidAtMs: expect.any(Number) });
    expect(JSON.stringify(p)).not.toContain(m.id);
    expect(await codeOf(vendorB.call('GET', `/v1/prepaid/payments/${first}`))).toEqual({ code: 'PREPAID_PAYMENT_UNKNOWN', status: 404 });
    expect(await codeOf(vendorA.call('GET', `/v1/prepaid/payments/${other}`))).toEqual({ code: 'PREPAID_PAYMENT_UNKNOWN', status: 404 });
    expect(await codeOf(vendorA.call('GET', `/v1/prepaid/payments/${rid()}`))).toEqual({ code: 'PREPAID_PAYMENT_UNKNOWN', status: 404 });
    expect(await codeOf(notVendor.call('GET', `/v1/prepaid/payments/${first}`))).toEqual({ code: 'PREPAID_VENDOR_UNKNOWN', status: 403 });

    const page1 = (await vendorA.call<{ items: Array<{ requestId: string }>; nextCursor: string | null; controlTotals: unknown }>('GET', `/v1/prepaid/payments?fromMs=${t0 - 1}&limit=1`)).body;
    expect(page1.items.map((x) => x.requestId)).toEqual([first]);
    expect(page1.controlTotals).toEqual({ count: 2, totalMinor: 2_000 });
    const page2 = (await vendorA.call<{ items: Array<{ requestId: string }>; nextCursor: string | null }>('GET', `/v1/prepaid/payments?fromMs=${t0 - 1}&limit=1&after=${page1.nextCursor}`)).body;
    expect(page2.items.map((x) => x.requestId)).toEqual([second]);
    expect(page2.nextCursor).toBeNull();
    expect((await vendorA.call<{ items: unknown[] }>('GET', `/v1/prepaid/payments?toMs=${t0 - 1}`)).body.items).toEqual([]);
    expect((await vendorB.call<{ controlTotals: unknown }>('GET', '/v1/prepaid/payments')).body.controlTotals).toEqual({ count: 1, totalMinor: 300 });
  });

  it('pays the vendor and the provider out once through the bank relay with a reconciliation id; the statement shows it; a bank refusal makes it payable again', async () => {
    const payouts = prepaidPayoutsOf(prepaid)!;
    const owedVendor = await balance(vendorPayable('VENDOR-1'));
    const owedProvider = await balance(providerFee('PROVIDER-1'));
    expect(owedVendor).toBeGreaterThan(0);
    expect(await payouts.sweep()).toEqual({ payoutsDecided: 2, payoutsPaid: 2, payoutsFailed: 0 });
    expect(await payouts.sweep()).toEqual({ payoutsDecided: 0, payoutsPaid: 0, payoutsFailed: 0 });
    expect(await bank.balance(vendorAcct)).toBe(owedVendor);
    expect(await bank.balance(providerAcct)).toBe(owedProvider);
    expect(await bank.balance(centerAcct)).toBe(100_000 - owedVendor - owedProvider);
    expect(await balance(vendorPayable('VENDOR-1'))).toBe(0);
    expect(await balance(PAYOUTS)).toBe(0);
    expect(await balance(prepaidCenterAt('0001'))).toBe(owedVendor + owedProvider);
    const st = (await vendorA.call<{ payouts: Array<Record<string, unknown>> } & Record<string, unknown>>('GET', '/v1/prepaid/statement')).body;
    expect(st).toMatchObject({ vendorId: 'VENDOR-1', paymentsCount: 2, paidMinor: owedVendor, paidOutMinor: owedVendor, pendingMinor: 0, payableMinor: 0 });
    expect(st.payouts).toHaveLength(1);
    expect(st.payouts[0]).toMatchObject({ state: 'paid', amountMinor: owedVendor, bankCode: '0001', code: 'OK', payoutId: expect.stringMatching(/^pp_[0-9a-f]{24}$/), transferId: expect.stringMatching(/^[0-9a-f]{32}$/) });
    // VENDOR-2 has no payout account: its payable stays.
    expect((await vendorB.call<Record<string, unknown>>('GET', '/v1/prepaid/statement')).body).toMatchObject({ paidOutMinor: 0, payableMinor: 300, payouts: [] });

    const m = await medium(1_000);
    await pay(m.file, 'vendor', 'VENDOR-1', 700);
    await bank.setStatus(vendorAcct, 'closed');
    expect(await payouts.sweep()).toMatchObject({ payoutsDecided: 1, payoutsPaid: 0, payoutsFailed: 1 });
    expect((await vendorA.call<Record<string, unknown>>('GET', '/v1/prepaid/statement')).body).toMatchObject({ paidOutMinor: owedVendor, pendingMinor: 0, payableMinor: 700 });
    await bank.setStatus(vendorAcct, 'open');
    expect(await payouts.sweep()).toMatchObject({ payoutsDecided: 1, payoutsPaid: 1 });
    expect(await bank.balance(vendorAcct)).toBe(owedVendor + 700);
    const audit = await auditLedger(center.storage, [PREPAID_AUDIT]);
    expect(audit.ok, JSON.stringify(audit)).toBe(true);
  });
});

describe('prepaid recovery on the admin API', () => {
  it('lists a frozen medium with its clone record and recovers its balance to a new medium, audited with the reason', async () => {
    const m = await medium(2_000);
    const g2 = await pay(m.file, 'vendor', 'VENDOR-1', 500);
    expect(readMediumFile(g2).generation).toBe(2);
    const clone = await prepaid.use({ requestId: rid(), shown: m.file, kind: 'vendor', payee: 'VENDOR-1', amountMinor: 100, currency: 'JPY', source: 'PROVIDER-9' }).then(() => 'OK', (e: { code: string }) => e.code);
    expect(clone).toBe('PREPAID_CLONE_REFUSED');
    const frozen = await admin('GET', '/prepaid/frozen');
    expect(frozen.status).toBe(200);
    const item = (frozen.json['items'] as Array<Record<string, unknown>>).find((x) => x['mediumId'] === m.id);
    expect(item).toMatchObject({ state: 'frozen', balanceMinor: 1_500, clones: [{ presentedGen: 1, confirmedGen: 2, source: 'PROVIDER-9' }] });

    const req = { requestId: rid(), reason: 'holder showed the kiosk receipt and the medium log' };
    const r = await admin('POST', `/prepaid/media/${m.id}/recover`, req);
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ status: 'done', balanceMinor: 1_500 });
    const file = Buffer.from(String(r.json['file']), 'base64');
    expect(readMediumFile(file)).toMatchObject({ generation: 1, displayBalanceMinor: 1_500 });
    expect(await admin('POST', `/prepaid/media/${m.id}/recover`, req)).toMatchObject({ status: 200, json: { status: 'repeated', mediumId: r.json['mediumId'], file: r.json['file'] } });
    expect((await admin('GET', '/prepaid/frozen')).json['items']).not.toContainEqual(expect.objectContaining({ mediumId: m.id }));
    // The new medium is usable once written and confirmed.
    await prepaid.confirm(file, 'TEST');
    expect((await prepaid.use({ requestId: rid(), shown: file, kind: 'vendor', payee: 'VENDOR-1', amountMinor: 100, currency: 'JPY', source: 'PROVIDER-1' })).status).toBe('done');
    const trail = await center.storage.read((q) => q.all("SELECT actor, role, route, outcome, reason FROM admin_audit_trail WHERE route = '/prepaid/media/:id/recover' ORDER BY at_ms"));
    expect(trail).toEqual([
      { actor: 'op-anna', role: 'operator', route: '/prepaid/media/:id/recover', outcome: 'ok', reason: req.reason },
      { actor: 'op-anna', role: 'operator', route: '/prepaid/media/:id/recover', outcome: 'ok', reason: req.reason },
    ]);
    // A medium not frozen: refused, and the refusal has its row too.
    expect(await admin('POST', `/prepaid/media/${readMediumFile(file).mediumId.toString('hex')}/recover`, { requestId: rid(), reason: 'try an active medium' })).toMatchObject({ status: 409, json: { error: { code: 'PREPAID_RECOVERY_REFUSED' } } });
  });

  it('the operator freezes a medium for review (a holder reports it stolen): refused everywhere, listed with its reason, balance kept and recovered; audited; again answers frozen-already', async () => {
    const m = await medium(1_500);
    const reason = 'holder reports the medium stolen at the station';
    const r = await admin('POST', `/prepaid/media/${m.id}/freeze`, { reason });
    expect(r).toMatchObject({ status: 200, json: { status: 'frozen', mediumId: m.id, balanceMinor: 1_500, currency: 'JPY', confirmedGen: 1, pendingGen: null, frozenReason: `frozen by operator OP-ANNA: ${reason}` } });
    // Refused everywhere: the prepaid center, and the validity lists every flow asks.
    expect(await prepaid.use({ requestId: rid(), shown: m.file, kind: 'vendor', payee: 'VENDOR-1', amountMinor: 100, currency: 'JPY', source: 'PROVIDER-1' }).then(() => 'OK', (e: { code: string }) => e.code)).toBe('PREPAID_MEDIUM_FROZEN');
    expect((await center.storage.read((q) => q.get<{ status: string }>('SELECT status FROM media WHERE id = ?', [m.id])))?.status).toBe('captured');
    const item = ((await admin('GET', '/prepaid/frozen')).json['items'] as Array<Record<string, unknown>>).find((x) => x['mediumId'] === m.id);
    expect(item).toMatchObject({ state: 'frozen', balanceMinor: 1_500, frozenReason: `frozen by operator OP-ANNA: ${reason}`, clones: [] });
    // Again: the first reason kept; nothing else changes.
    expect(await admin('POST', `/prepaid/media/${m.id}/freeze`, { reason: 'second report' })).toMatchObject({ status: 200, json: { status: 'frozen-already', frozenReason: `frozen by operator OP-ANNA: ${reason}` } });
    // The value goes to the replacement by the recovery; a closed medium is not frozen again; an unknown one is not found.
    const rec = await admin('POST', `/prepaid/media/${m.id}/recover`, { requestId: rid(), reason: 'holder identified with the kiosk receipt' });
    expect(rec).toMatchObject({ status: 200, json: { status: 'done', balanceMinor: 1_500 } });
    expect(await admin('POST', `/prepaid/media/${m.id}/freeze`, { reason })).toMatchObject({ status: 409, json: { error: { code: 'PREPAID_MEDIUM_FROZEN' } } });
    expect(await admin('POST', `/prepaid/media/${'0'.repeat(32)}/freeze`, { reason })).toMatchObject({ status: 404, json: { error: { code: 'PREPAID_MEDIUM_UNKNOWN' } } });
    expect(await admin('POST', `/prepaid/media/${m.id}/freeze`, { reason: 'no' })).toMatchObject({ status: 400 });
    const trail = await center.storage.read((q) => q.all("SELECT actor, role, outcome, code, reason FROM admin_audit_trail WHERE route = '/prepaid/media/:id/freeze'"));
    expect(trail).toHaveLength(5);
    expect(trail).toEqual(expect.arrayContaining([
      { actor: 'op-anna', role: 'operator', outcome: 'ok', code: null, reason },
      { actor: 'op-anna', role: 'operator', outcome: 'ok', code: null, reason: 'second report' },
      { actor: 'op-anna', role: 'operator', outcome: 'refused', code: 'PREPAID_MEDIUM_FROZEN', reason },
      { actor: 'op-anna', role: 'operator', outcome: 'refused', code: 'PREPAID_MEDIUM_UNKNOWN', reason },
      { actor: 'op-anna', role: 'operator', outcome: 'refused', code: 'ADMIN_INVALID_BODY', reason: null },
    ]));
    const audit = await auditLedger(center.storage, [PREPAID_AUDIT]);
    expect(audit.ok, JSON.stringify(audit)).toBe(true);
  });
});
