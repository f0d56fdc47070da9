/**
 * Seed 000's vendor end to end, every party its own process: the center
 * (`tessera center`: prepaid + merchant API + admin API, SQLite file), the
 * bank (`tessera bank serve`), the vendor (`tessera vendor serve`). The test
 * plays the holder's side through the Prepaid api on the center's database
 * (the provider center and the client are the wire's, not this file's): a
 * medium issued, an order paid to the vendor, the vendor checks the payment
 * on the merchant API and answers a receipt signed with its key (a licence
 * key), which verifies offline; the payout sweep pays the vendor and the
 * provider at their bank, and the vendor's statement reconciles. The vendor
 * killed (SIGKILL) between the payment check and its answer, before and
 * after it stored the receipt: the retry answers the same receipt, one
 * licence. Then the operator's recovery of a frozen medium with
 * `tessera prepaid frozen|recover` over the admin API, the new medium
 * written to a mount directory and usable, and the operator's own freeze
 * (`tessera prepaid freeze`).
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Operators } from '../../center/admin/operators.js';
import { auditLedger } from '../../center/ledger/audit.js';
import { MerchantRegistry } from '../../center/merchant-api/merchants.js';
import { PREPAID_AUDIT } from '../../center/prepaid/audit-check.js';
import { Prepaid } from '../../center/prepaid/prepaid.js';
import { openStorage } from '../../center/storage/open.js';
import type { Storage } from '../../center/storage/types.js';
import { systemClock } from '../../core/clock.js';
import { systemRandom } from '../../core/random.js';
import { readMediumFile } from '../../protocol/prepaid/medium.js';
import { verifyReceipt } from '../../protocol/prepaid/receipt.js';
import { SLOT_FILES } from '../../protocol/prepaid/slots.js';
import { BankHost } from '../../sim/bank/bank-host.js';
import { VENDOR_CRASH_ENV, writeSigningSeed } from '../../sim/vendor/serve.js';
import { VendorStore } from '../../sim/vendor/store.js';
import { CliProcess, runCli } from '../../sim/world/cli-process.js';
import { startCliBanks, writeConfigFile, writeSecretFile, type CliBanks } from '../../sim/world/cli-parts.js';
import { freeLoopbackPort } from '../../sim/world/terminals.js';
import { openWorld, type World } from '../../sim/world/world.js';
import { DirRemovableStore } from '../../terminal/devices/files/dir-removable-store.js';

const dir = mkdtempSync(join(tmpdir(), 'tsr-ppv-'));
const MASTER = createHash('sha256').update('prepaid-vendor/master').digest();
const ACCT = {
  center: { bankCode: '0001', branchCode: '001', accountNumber: '7000001' },
  vendor: { bankCode: '0001', branchCode: '002', accountNumber: '8000001' },
  provider: { bankCode: '0001', branchCode: '002', accountNumber: '8000002' },
};
const CENTER_OPENING = 100_000;
let banks: CliBanks;
let world: World;
let storage: Storage;
let prepaid: Prepaid;
let vendorConfig: string;
let vendor: CliProcess;
let vendorUrl: string;
/** Vendors on the same database that kill themselves (SIGKILL) at a step of a payment (VENDOR_CRASH_ENV). */
const crashing: Record<'verified' | 'stored', { p: CliProcess; url: string }> = {} as never;
/** Every vendor process started, stopped in afterAll even when a start failed. */
const vendors: CliProcess[] = [];
let publicKey: Buffer;
let adminUrl: string;
let tokenFile: string;
const rid = (): string => randomBytes(16).toString('hex');

async function startVendor(env: Record<string, string> = {}): Promise<{ p: CliProcess; url: string }> {
  const p = new CliProcess(`vendor${env[VENDOR_CRASH_ENV] ? ` (crash at ${env[VENDOR_CRASH_ENV]})` : ''}`, ['vendor', 'serve', '--config', vendorConfig], env);
  vendors.push(p);
  const ready = await p.ready(180_000);
  expect(ready).toMatchObject({ vendorId: 'VENDOR-1', publicKey: publicKey.toString('hex') });
  return { p, url: String(ready['url']) };
}
const http = async (method: 'GET' | 'POST', url: string, body?: unknown) => {
  const res = await fetch(url, { method, ...(body !== undefined && { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }) });
  return { status: res.status, json: (await res.json()) as Record<string, any> };
};
/** A medium issued (as the prepaid terminal would) and written: its current file. */
async function issued(amountMinor: number): Promise<Buffer> {
  const r = await prepaid.issue({ requestId: rid(), amountMinor, currency: 'JPY', terminalId: 'KIOSK-1' });
  await prepaid.confirm(r.file!, 'KIOSK-1');
  return r.file!;
}
/** The holder pays through the prepaid center (as the provider relays it) and the new generation is written: the new file. */
async function payVendor(file: Buffer, requestId: string, amountMinor: number, payee = 'VENDOR-1', kind: 'vendor' | 'provider-fee' = 'vendor'): Promise<Buffer> {
  const r = await prepaid.use({ requestId, shown: file, kind, payee, amountMinor, currency: 'JPY', source: 'PROVIDER-1' });
  expect(r.status).toBe('done');
  await prepaid.confirm(r.file!, 'PROVIDER-1');
  return r.file!;
}
async function until<T>(what: string, f: () => Promise<T>, ok: (t: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const t = await f();
    if (ok(t)) return t;
    if (Date.now() > end) throw new Error(`${what}: not reached within ${timeoutMs} ms; last ${JSON.stringify(t)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

beforeAll(async () => {
  banks = await startCliBanks(
    {
      banks: [{ bankCode: '0001' }],
      accounts: [
        { ref: ACCT.center, holder: 'prepaid center', role: 'provider', pin: '4321', openingMinor: CENTER_OPENING },
        { ref: ACCT.vendor, holder: 'vendor one', role: 'merchant', pin: '1111' },
        { ref: ACCT.provider, holder: 'provider one', role: 'merchant', pin: '2222' },
      ],
    },
    dir,
    { readyMs: 180_000 },
  );
  const masterKeyFile = writeSecretFile(dir, 'prepaid-master.key', `${MASTER.toString('hex')}\n`);
  const merchantPort = await freeLoopbackPort();
  const adminPort = await freeLoopbackPort();
  world = await openWorld({
    dir,
    center: {
      process: 'cli',
      cliReadyMs: 180_000,
      cliSections: {
        admin: { host: '127.0.0.1', port: adminPort },
        merchantApi: { host: '127.0.0.1', port: merchantPort },
        prepaid: {
          masterKeyFile, issuerId: 7, currency: 'JPY',
          vendors: [{ vendorId: 'VENDOR-1', merchant: 'vendor-one', account: ACCT.vendor }],
          providers: [{ providerId: 'PROVIDER-1', account: ACCT.provider }],
          centerAccounts: [{ ...ACCT.center, securityCodeFile: banks.pinFile(ACCT.center) }],
          banks: [{ bankCode: '0001', url: banks.urls.get('0001')! }],
          sweepIntervalMs: 300,
        },
      },
    },
  });
  adminUrl = `http://127.0.0.1:${adminPort}`;
  // The operator and the holder's side, on the center's database.
  storage = await openStorage(join(dir, 'center.db'));
  prepaid = await Prepaid.open({ storage, config: { masterKey: MASTER, issuerId: 7, currency: 'JPY' } });
  const merchants = await MerchantRegistry.open(storage, systemClock, systemRandom);
  await merchants.add('vendor-one');
  const apiKeyFile = writeSecretFile(dir, 'vendor.apikey', `${(await merchants.addKey('vendor-one')).key}\n`);
  tokenFile = writeSecretFile(dir, 'operator.token', `${await new Operators(storage, systemRandom).add('op-anna', 'operator', 0)}\n`);
  const keyFile = join(dir, 'vendor.key');
  const { receiptPublicKeyRaw, receiptSigningKey } = await import('../../protocol/prepaid/receipt.js');
  publicKey = receiptPublicKeyRaw(receiptSigningKey(await writeSigningSeed(keyFile)));
  vendorConfig = writeConfigFile(dir, 'vendor.json', {
    vendorId: 'VENDOR-1', db: join(dir, 'vendor.db'), listen: { host: '127.0.0.1', port: 0 }, signingKeyFile: keyFile,
    merchantApi: { url: `http://127.0.0.1:${merchantPort}`, apiKeyFile },
  });
  // Three vendor processes on the one database, started together (a loaded machine starts tsx slowly).
  const [normal, verified, stored] = await Promise.all([startVendor(), startVendor({ [VENDOR_CRASH_ENV]: 'verified' }), startVendor({ [VENDOR_CRASH_ENV]: 'stored' })]);
  ({ p: vendor, url: vendorUrl } = normal);
  Object.assign(crashing, { verified, stored });
}, 400_000);

afterAll(async () => {
  await Promise.all(vendors.map((p) => p.stop()));
  await storage?.close();
  await world?.close();
  await banks?.close();
  rmSync(dir, { recursive: true, force: true });
});

// Each case drives CLI processes (two more tsx starts in the last); a loaded machine takes tens of seconds per start.
describe('prepaid vendor, bank and center as processes', { timeout: 240_000 }, () => {
  it('pays a registration through the prepaid center, answers a signed receipt with a licence, pays the vendor and the provider out at their bank, and the vendor reconciles', async () => {
    let file = await issued(5_000);
    const order = await http('POST', `${vendorUrl}/orders`, { itemCode: 'SW-EDITOR' });
    expect(order).toMatchObject({ status: 201, json: { amountMinor: 1_200, currency: 'JPY', payee: 'VENDOR-1' } });
    const requestId = rid();
    // Before the holder paid: no receipt.
    expect(await http('POST', `${vendorUrl}/orders/${order.json['orderId']}/payment`, { requestId })).toMatchObject({ status: 402, json: { error: { code: 'VENDOR_PAYMENT_NOT_FOUND' } } });
    file = await payVendor(file, requestId, 1_200);
    const paid = await http('POST', `${vendorUrl}/orders/${order.json['orderId']}/payment`, { requestId });
    expect(paid.status, JSON.stringify(paid.json)).toBe(200);
    const receipt = verifyReceipt(Buffer.from(String(paid.json['receipt']), 'base64'), publicKey);
    expect(receipt).toMatchObject({ kind: 'registration', vendorId: 'VENDOR-1', orderId: order.json['orderId'], requestId, amountMinor: 1_200, licenceKey: paid.json['licenceKey'] });
    await payVendor(file, rid(), 150, 'PROVIDER-1', 'provider-fee');

    const st = await until('the vendor paid out', () => http('GET', `${vendorUrl}/statement`), (r) => r.json['paidOutMinor'] === 1_200);
    expect(st.json).toMatchObject({ ordersPaid: 1, ordersPaidMinor: 1_200, centerPayments: 1, centerPaidMinor: 1_200, unclaimedMinor: 0, pendingMinor: 0, payableMinor: 0 });
    expect(st.json['payouts'][0]).toMatchObject({ state: 'paid', amountMinor: 1_200, payoutId: expect.stringMatching(/^pp_/), transferId: expect.stringMatching(/^[0-9a-f]{32}$/) });
    const balances = await until('the provider paid out', async () => {
      const bank = await BankHost.open({ bankCode: '0001', name: 'Bank 0001', db: banks.dbPath('0001') });
      try {
        return { center: await bank.balance(ACCT.center), vendor: await bank.balance(ACCT.vendor), provider: await bank.balance(ACCT.provider) };
      } finally {
        await bank.close();
      }
    }, (b) => b.provider === 150);
    expect(balances).toEqual({ center: CENTER_OPENING - 1_350, vendor: 1_200, provider: 150 });
  });

  it('answers the same receipt and issues one licence when the vendor is killed between the payment check and its answer, before and after it stored the receipt', async () => {
    const file = await issued(2_000);
    const order = await http('POST', `${vendorUrl}/orders`, { itemCode: 'SW-ARCHIVER' });
    const orderId = String(order.json['orderId']);
    const requestId = rid();
    await payVendor(file, requestId, 800);
    // Killed after it verified the payment, before it stored anything.
    await expect(http('POST', `${crashing.verified.url}/orders/${orderId}/payment`, { requestId })).rejects.toThrow();
    expect((await crashing.verified.p.exited).signal).toBe('SIGKILL');
    const afterFirst = new VendorStore(join(dir, 'vendor.db'), systemClock);
    expect(afterFirst.order(orderId)).toMatchObject({ state: 'new', receipt: null });
    afterFirst.close();
    // The retry, killed after it stored the receipt, before it answered.
    await expect(http('POST', `${crashing.stored.url}/orders/${orderId}/payment`, { requestId })).rejects.toThrow();
    expect((await crashing.stored.p.exited).signal).toBe('SIGKILL');
    const store = new VendorStore(join(dir, 'vendor.db'), systemClock);
    const stored = store.order(orderId)!;
    expect(stored).toMatchObject({ state: 'paid', requestId });
    store.close();
    // The next retry answers the stored receipt, byte for byte, with its one licence.
    const r = await http('POST', `${vendorUrl}/orders/${orderId}/payment`, { requestId });
    expect(r.status, JSON.stringify(r.json)).toBe(200);
    expect(Buffer.from(String(r.json['receipt']), 'base64').equals(stored.receipt!)).toBe(true);
    expect(verifyReceipt(stored.receipt!, publicKey)).toMatchObject({ orderId, requestId, licenceKey: stored.licenceKey });
    expect(r.json['licenceKey']).toBe(stored.licenceKey);
    const again = new VendorStore(join(dir, 'vendor.db'), systemClock);
    expect(again.events(orderId)).toEqual(['ordered', 'paid, licence issued']);
    again.close();
  });

  it('the operator lists a frozen medium and recovers its value to a new medium written to a mount directory (tessera prepaid frozen|recover), audited; freezes a reported medium (tessera prepaid freeze)', async () => {
    const g1 = await issued(3_000);
    await payVendor(g1, rid(), 1_200);
    // A copy of generation 1 shown after generation 2 was confirmed: frozen.
    const clone = await prepaid.use({ requestId: rid(), shown: g1, kind: 'vendor', payee: 'VENDOR-1', amountMinor: 100, currency: 'JPY', source: 'PROVIDER-1' }).then(() => 'OK', (e: { code: string }) => e.code);
    expect(clone).toBe('PREPAID_CLONE_REFUSED');
    const frozenId = readMediumFile(g1).mediumId.toString('hex');
    const env = { TESSERA_ADMIN_URL: adminUrl };
    const frozen = await runCli(['prepaid', 'frozen', '--token-file', tokenFile, '--json'], env, 60_000);
    expect(frozen.code, frozen.output).toBe(0);
    expect((frozen.lines.at(-1)!['items'] as unknown[])).toContainEqual(expect.objectContaining({ mediumId: frozenId, balanceMinor: 1_800, clones: [expect.objectContaining({ presentedGen: 1, confirmedGen: 2, source: 'PROVIDER-1' })] }));
    const mount = join(dir, 'new-medium');
    mkdirSync(mount);
    const recovered = await runCli(['prepaid', 'recover', frozenId, '--new-medium', mount, '--reason', 'kiosk receipt and medium log checked', '--token-file', tokenFile, '--json'], env, 60_000);
    expect(recovered.code, recovered.output).toBe(0);
    expect(recovered.lines.at(-1)).toMatchObject({ status: 'done', frozenMediumId: frozenId, balanceMinor: 1_800 });
    // Read as the holder's PC reads it: through the removable-store driver (its integrity envelope).
    const newMedium = new DirRemovableStore({ mountDir: mount });
    const written = await newMedium.readFile(SLOT_FILES[0]).finally(() => newMedium.close());
    expect(readMediumFile(written)).toMatchObject({ generation: 1, displayBalanceMinor: 1_800 });
    expect(readMediumFile(written).mediumId.toString('hex')).toBe(recovered.lines.at(-1)!['mediumId']);
    // The new medium works; the trail names the operator and the reason; nothing secret was printed.
    await prepaid.confirm(written, 'PROVIDER-1');
    await payVendor(written, rid(), 500);
    const trail = await storage.read((q) => q.all("SELECT actor, outcome, reason FROM admin_audit_trail WHERE route = '/prepaid/media/:id/recover'"));
    expect(trail).toEqual([{ actor: 'op-anna', outcome: 'ok', reason: 'kiosk receipt and medium log checked' }]);
    const token = readFileSync(tokenFile, 'utf8').trim();
    for (const out of [frozen.output, recovered.output, ...world.processes.map((p) => p.output), vendor.output]) {
      expect(out).not.toContain(token);
      expect(out).not.toContain(MASTER.toString('hex'));
    }
    // The operator's own freeze (a holder reports a medium stolen): refused from then on, its value kept; again: frozen already.
    const stolen = await issued(900);
    const stolenId = readMediumFile(stolen).mediumId.toString('hex');
    const froze = await runCli(['prepaid', 'freeze', stolenId, '--reason', 'holder reports the medium stolen', '--token-file', tokenFile, '--json'], env, 60_000);
    expect(froze.code, froze.output).toBe(0);
    expect(froze.lines.at(-1)).toMatchObject({ status: 'frozen', mediumId: stolenId, balanceMinor: 900, frozenReason: 'frozen by operator OP-ANNA: holder reports the medium stolen' });
    const again = await runCli(['prepaid', 'freeze', stolenId, '--reason', 'reported twice', '--token-file', tokenFile], env, 60_000);
    expect(again.code, again.output).toBe(0);
    expect(again.output).toContain(`frozen already: ${stolenId}, balance 900 JPY kept`);
    expect(await prepaid.use({ requestId: rid(), shown: stolen, kind: 'vendor', payee: 'VENDOR-1', amountMinor: 100, currency: 'JPY', source: 'PROVIDER-1' }).then(() => 'OK', (e: { code: string }) => e.code)).toBe('PREPAID_MEDIUM_FROZEN');
    expect(await storage.read((q) => q.all("SELECT actor, outcome, reason FROM admin_audit_trail WHERE route = '/prepaid/media/:id/freeze'"))).toHaveLength(2);
    const audit = await auditLedger(storage, [PREPAID_AUDIT]);
    expect(audit.ok, JSON.stringify(audit)).toBe(true);
  });
});
