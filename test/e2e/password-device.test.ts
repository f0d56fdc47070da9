/**
 * The phone app and its passwords after delivery, every actor its own
 * `tessera` process (bank, SMSC, TTP center with the merchant API and the
 * passwords module, credit company, phone): outsider trial of issue 14,
 * defects #2, #6, #9, #10, #11 and #18 (device part).
 *
 * - The phone's store is shared by `phone serve` (receiving SMS) and `phone
 *   qr` (taking QR counters): a counter is never handed out twice, even when
 *   an SMS arrives between two QRs, and the TTP accepts the codes.
 * - The phone asks the TTP the value left after a use (`phone balance`).
 * - The user revokes from the phone (`phone revoke SERIAL`, `--all`), signed
 *   by its device key; the credit company revokes a lost phone's passwords
 *   (`credit lost-phone`); value returned and refunded at the bank; idempotent.
 * - Coded errors: a phone directory that cannot be made, a QR PNG that cannot
 *   be written, validation issues printed as `path: message`, a local amount
 *   check, the keypad line ending without an order.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MerchantClient } from '../../center/merchant-api/client.js';
import { MerchantRegistry } from '../../center/merchant-api/merchants.js';
import { PasswordsClient } from '../../center/passwords/client.js';
import { openStorage } from '../../center/storage/open.js';
import { systemClock } from '../../core/clock.js';
import { systemRandom } from '../../core/random.js';
import { ed25519Sign } from '../../protocol/password/keys.js';
import { decodeQr, revocationBytes } from '../../protocol/password/token.js';
import { CliCenter } from '../../sim/world/center-cli.js';
import { writeConfigFile, writeSecretFile } from '../../sim/world/cli-parts.js';
import { CliProcess, runCli } from '../../sim/world/cli-process.js';
import { freeLoopbackPort } from '../../sim/world/terminals.js';
import { keyDir } from '../center/server/support.js';
import { SMPP_SYSTEM_ID, startSmscProcess, testDir, waitFor, type Party } from '../center/passwords/delivery/support/messaging.js';

const MSISDN = '819000000002';
const ALICE = { bankCode: '0001', branchCode: '001', accountNumber: '1000002' };
const CREDIT = { bankCode: '0001', branchCode: '001', accountNumber: '9000002' };
const OPENING = 100_000;

let dir: string;
const k = keyDir();
let bank: CliProcess;
let bankUrl: string;
let smsc: Party & { passwordFile: string };
let center: CliCenter;
let merchantUrl: string;
let shop: MerchantClient;
let credit: CliProcess;
let creditUrl: string;
let phone: CliProcess;
let phoneDir: string;
let phoneConfig: string;
let deviceKeyB64: string;
let deviceKeyHex: string;

const bankDb = (): string => join(dir, 'bank-0001.db');
function balanceAt(ref: typeof ALICE): number {
  const db = new Database(bankDb(), { readonly: true });
  try {
    return (db.prepare('SELECT credits_posted - debits_posted AS b FROM ledger_accounts WHERE id = ?').get(`acct:${ref.branchCode}-${ref.accountNumber}`) as { b: number }).b;
  } finally {
    db.close();
  }
}
const stored = (): { messages: { id: string; ref: string | null; code: string | null }[]; qrCounter: number } =>
  existsSync(join(phoneDir, 'messages.json')) ? JSON.parse(readFileSync(join(phoneDir, 'messages.json'), 'utf8')) : { messages: [], qrCounter: 0 };
let orders = 0;
/** Orders a device-bound password for alice and waits until it is on the phone and spendable; its serial and message id. */
async function orderOnPhone(amountMinor: number): Promise<{ serial: string; id: string }> {
  orders += 1;
  const res = await fetch(`${creditUrl}/orders`, { method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': `dev-${orders}` }, body: JSON.stringify({ customer: '1001', amountMinor, pin: '1234' }) });
  const body = (await res.json()) as { serial?: string; state?: string };
  expect(body, JSON.stringify(body)).toMatchObject({ state: 'issued' });
  const serial = body.serial!;
  const m = await waitFor(`password ${serial} on the phone`, async () => stored().messages.find((x) => x.ref === serial), 60_000);
  await waitFor(`password ${serial} delivered`, async () => {
    const db = new Database(join(dir, 'center.db'), { readonly: true });
    try {
      return (db.prepare('SELECT state FROM passwords WHERE id = ?').get(serial) as { state: string } | undefined)?.state === 'delivered';
    } finally {
      db.close();
    }
  }, 30_000);
  return { serial, id: m.id };
}
const cli = (args: string[]) => runCli(args, {}, 60_000);
const qrText = (png: string): string => execFileSync('zbarimg', ['--raw', '-q', png], { encoding: 'utf8' }).replace(/\n$/, '');

beforeAll(async () => {
  dir = testDir('pw-device');
  mkdirSync(dir, { recursive: true });
  const dbPath = join(dir, 'center.db');
  const storage = await openStorage(dbPath);
  const reg = await MerchantRegistry.open(storage, systemClock, systemRandom);
  await reg.add('credit-a');
  await reg.add('shop-a', 'SHOP-1');
  writeSecretFile(dir, 'credit-ttp.key', `${(await reg.addKey('credit-a')).key}\n`);
  const shopKey = (await reg.addKey('shop-a')).key;
  await storage.close();

  const accounts = [
    { holder: 'alice', role: 'user', ...ALICE, pinFile: writeSecretFile(dir, 'pin-alice', '1234\n'), openingMinor: OPENING },
    { holder: 'credit-a', role: 'provider', ...CREDIT, pinFile: writeSecretFile(dir, 'pin-credit', '4321\n') },
  ].map(({ bankCode: _b, ...a }) => a);
  bank = new CliProcess('bank 0001', ['bank', 'serve', '--config', writeConfigFile(dir, 'bank-0001.json', { bankCode: '0001', db: bankDb(), listen: { host: '127.0.0.1', port: 0 }, accounts })]);
  const merchantPort = await freeLoopbackPort();
  merchantUrl = `http://127.0.0.1:${merchantPort}`;
  // The phone's directory does not exist yet (#9): `phone serve` makes it, 0700.
  phoneDir = join(dir, 'phones', 'alice');
  const [bankReady, smscParty] = await Promise.all([bank.ready(120_000), startSmscProcess(dir, [MSISDN])]);
  bankUrl = `http://127.0.0.1:${Number(bankReady['port'])}`;
  smsc = smscParty;
  phoneConfig = writeConfigFile(dir, 'phone-alice.json', { msisdn: MSISDN, dir: phoneDir, smsc: { host: '127.0.0.1', port: smsc.port }, pollMs: 100, reattachMsMax: 500, ttpUrl: merchantUrl });
  phone = new CliProcess('phone alice', ['phone', 'serve', '--config', phoneConfig]);
  const attached = phone.next((o) => o['event'] === 'attached', 120_000, 'attached');
  attached.catch(() => undefined);
  const ttpKeyFile = writeSecretFile(dir, 'ttp.key', `${'5b'.repeat(32)}\n`);
  const [phoneReady, c] = await Promise.all([
    phone.ready(120_000),
    CliCenter.open({
      dir, db: dbPath, masterKeyFile: k.masterKeyFile, readyMs: 120_000,
      sections: {
        merchantApi: { host: '127.0.0.1', port: merchantPort },
        passwords: {
          ttpKeyFile, issuers: ['CREDIT-A'], issuerClients: { 'credit-a': 'CREDIT-A' }, sweepIntervalMs: 1_000,
          delivery: { smpp: { host: '127.0.0.1', port: smsc.port, systemId: SMPP_SYSTEM_ID, passwordFile: smsc.passwordFile }, attemptsMax: 3, backoffMsBase: 100, sweepIntervalMs: 100 },
        },
      },
    }),
  ]);
  await attached;
  center = c;
  deviceKeyB64 = String(phoneReady['devicePublicKey']);
  deviceKeyHex = Buffer.from(deviceKeyB64, 'base64url').toString('hex');
  shop = new MerchantClient({ baseUrl: merchantUrl, apiKey: shopKey });
  credit = new CliProcess('credit', ['credit', 'serve', '--config', writeConfigFile(dir, 'credit.json', {
    issuer: 'CREDIT-A', db: join(dir, 'credit.db'), listen: { port: 0 }, ttp: { url: merchantUrl, apiKeyFile: join(dir, 'credit-ttp.key') },
    banks: [{ bankCode: '0001', url: bankUrl }], accounts: [{ ...CREDIT, pinFile: join(dir, 'pin-credit') }],
    customers: [{ id: '1001', ...ALICE, device: { channel: 'sms', address: MSISDN, binding: 'device', deviceKey: deviceKeyHex } }, { id: '1002', ...ALICE }],
    terms: { partial: true }, workerIntervalMs: 300,
  })]);
  creditUrl = String((await credit.ready(120_000))['url']);
}, 300_000);

afterAll(async () => {
  await shop?.close();
  await Promise.all([credit?.stop(), phone?.stop(), smsc?.process.stop(), center?.close(), bank?.stop()]);
  rmSync(dir, { recursive: true, force: true });
  k.remove();
});

describe('the phone app and its passwords after delivery (every actor a process)', () => {
  let first: { serial: string; id: string };

  it('phone serve made its missing directory (0700); a directory it cannot make and a QR it cannot write are coded errors', async () => {
    expect(statSync(phoneDir).mode & 0o777).toBe(0o700);
    first = await orderOnPhone(5_000);
    writeFileSync(join(dir, 'not-a-dir'), 'x');
    const [badDir, badOut] = await Promise.all([
      cli(['phone', 'serve', '--config', writeConfigFile(dir, 'phone-bad.json', { msisdn: MSISDN, dir: join(dir, 'not-a-dir', 'phone') })]),
      cli(['phone', 'qr', '--config', phoneConfig, '--message', first.id, '--out', join(dir, 'no-such-dir', 'x.png')]),
    ]);
    expect(badDir.code).toBe(1);
    expect(badDir.output).toMatch(/PHONE_DIR_UNUSABLE: .*not-a-dir/);
    expect(badDir.output).not.toMatch(/CLI_INTERNAL|    at /);
    expect(badOut.code).toBe(1);
    expect(badOut.output).toMatch(/PHONE_OUT_UNWRITABLE: .*no-such-dir/);
    expect(badOut.output).not.toMatch(/CLI_INTERNAL|    at /);
  }, 180_000);

  it('phone qr and phone serve share the store: counters are never reused across processes, an SMS received meanwhile keeps them, the TTP accepts the codes; the phone then asks the value left', async () => {
    const png = (n: number): string => join(dir, `qr-${n}.png`);
    // Three QRs at once, from three processes (the refused QR above took a counter too: taken is never given back).
    const c0 = stored().qrCounter;
    expect(c0).toBeGreaterThanOrEqual(1);
    const runs = await Promise.all([1, 2, 3].map((n) => cli(['phone', 'qr', '--config', phoneConfig, '--message', first.id, '--out', png(n), '--shop', 'SHOP-1'])));
    for (const r of runs) expect(r.code, r.output).toBe(0);
    const counters = [1, 2, 3].map((n) => (decodeQr(qrText(png(n))) as { presentation: { counter: number } }).presentation.counter).sort();
    expect(counters).toEqual([c0 + 1, c0 + 2, c0 + 3]);
    // An SMS arrives (phone serve writes the store): the counter stays.
    const second = await orderOnPhone(2_000);
    expect(stored().qrCounter).toBe(c0 + 3);
    expect(stored().messages.map((m) => m.ref)).toEqual(expect.arrayContaining([first.serial, second.serial]));
    const next = await cli(['phone', 'qr', '--config', phoneConfig, '--message', first.id, '--out', png(4), '--shop', 'SHOP-1']);
    expect(next.code, next.output).toBe(0);
    const qr4 = qrText(png(4));
    expect((decodeQr(qr4) as { presentation: { counter: number } }).presentation.counter).toBe(c0 + 4);
    // The shop takes the newest code (never seen): the TTP accepts it.
    const sale = await new PasswordsClient(shop).redeem({ qr: qr4 }, { amountMinor: 1_200, currency: 'JPY' });
    expect(sale.body).toMatchObject({ state: 'captured', capturedMinor: 1_200, remainingMinor: 3_800 });

    // #18: after the use the phone asks the TTP what is left (signed by its device key).
    const bal = await cli(['phone', 'balance', '--config', phoneConfig, first.id]);
    expect(bal.code, bal.output).toBe(0);
    expect(bal.lines[0]).toMatchObject({ serial: first.serial, state: 'partly-used', amountMinor: 5_000, usedMinor: 1_200, remainingMinor: 3_800, spendable: true });
  }, 180_000);

  it('the user revokes from the phone (signed by its device key): value back to the customer, idempotent, kept in the event log; forged, stale and unknown revocations are refused with codes', async () => {
    const before = balanceAt(ALICE);
    const r1 = await cli(['phone', 'revoke', '--config', phoneConfig, first.serial]);
    expect(r1.code, r1.output).toBe(0);
    expect(r1.lines[0]).toMatchObject({ ok: true, serial: first.serial, state: 'refunded', remainingMinor: 0 });
    const r2 = await cli(['phone', 'revoke', '--config', phoneConfig, first.id]);
    expect(r2.code, r2.output).toBe(0);
    expect(r2.lines[0]).toMatchObject({ ok: true, serial: first.serial, state: 'refunded' });
    // The 3,800 left comes back to alice's bank account through the credit company.
    await waitFor('the refund at the bank', async () => balanceAt(ALICE) === before + 3_800, 60_000);
    const db = new Database(join(dir, 'center.db'), { readonly: true });
    try {
      expect(db.prepare("SELECT count(*) AS n FROM password_events WHERE password_id = ? AND kind = 'revoked'").get(first.serial)).toEqual({ n: 1 });
    } finally {
      db.close();
    }
    const call = async (serial: string, body: unknown): Promise<{ status: number; code: string | undefined }> => {
      const res = await fetch(`${merchantUrl}/v1/device/passwords/${serial}/revoke`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      return { status: res.status, code: ((await res.json()) as { error?: { code: string } }).error?.code };
    };
    const other = (await import('node:crypto')).generateKeyPairSync('ed25519').privateKey;
    const now = Date.now();
    const sign = (serial: string, t: number) => ed25519Sign(revocationBytes(Buffer.from(serial, 'hex'), t), other).toString('hex');
    const second = stored().messages.find((m) => m.ref !== first.serial && m.ref !== null)!.ref!;
    expect(await call(second, { timeMs: now, signature: sign(second, now) })).toEqual({ status: 422, code: 'PWTOKEN_BAD_DEVICE_SIGNATURE' });
    expect(await call('00'.repeat(16), { timeMs: now, signature: sign('00'.repeat(16), now) })).toEqual({ status: 404, code: 'PASSWORD_UNKNOWN' });
    expect((await call(second, { timeMs: now, signature: 'zz' })).code).toBe('HTTP_INVALID_REQUEST');
    // The phone's own key, but a revocation signed 10 minutes ago (a replayed old one): stale, nothing revoked.
    const mine = (await import('node:crypto')).createPrivateKey(readFileSync(join(phoneDir, 'device-key.pem')));
    const old = now - 600_000;
    expect(await call(second, { timeMs: old, signature: ed25519Sign(revocationBytes(Buffer.from(second, 'hex'), old), mine).toString('hex') })).toEqual({ status: 422, code: 'PWTOKEN_STALE' });
  }, 180_000);

  it('a lost phone: the credit company revokes every live password bound to it and refunds the value left; a repeat revokes nothing; unknown customer or device is coded; phone revoke --all', async () => {
    const third = await orderOnPhone(1_000);
    const before = balanceAt(ALICE);
    const lost = await cli(['credit', 'lost-phone', '--url', creditUrl, '--customer', '1001', '--device-key', deviceKeyB64, '--json']);
    expect(lost.code, lost.output).toBe(0);
    // The second order's 2,000 and the third's 1,000 (the first was revoked from the phone already).
    expect(lost.lines[0]).toMatchObject({ customer: '1001', count: 2, returnedMinor: 3_000 });
    await waitFor('the lost phone refund at the bank', async () => balanceAt(ALICE) === before + 3_000, 60_000);
    const again = await cli(['credit', 'lost-phone', '--url', creditUrl, '--customer', '1001']);
    expect(again.code, again.output).toBe(0);
    expect(again.output).toContain('0 password(s) revoked');
    const [noDevice, noCustomer] = await Promise.all([
      cli(['credit', 'lost-phone', '--url', creditUrl, '--customer', '1002']),
      cli(['credit', 'lost-phone', '--url', creditUrl, '--customer', '1001', '--device-key', 'ab'.repeat(32)]),
    ]);
    expect(noDevice.output).toMatch(/CREDIT_DEVICE_UNKNOWN/);
    expect(noCustomer.output).toMatch(/CREDIT_DEVICE_UNKNOWN/);
    expect(noDevice.code).toBe(1);
    // The phone's revoke --all over passwords already revoked: each answered as it is (idempotent).
    const all = await cli(['phone', 'revoke', '--config', phoneConfig, '--all']);
    expect(all.code, all.output).toBe(0);
    expect(all.lines.at(-1)).toEqual({ ok: true, revoked: 3 });
    expect(all.lines.slice(0, 3).every((l) => l['state'] === 'refunded')).toBe(true);
    expect(balanceAt(ALICE)).toBe(before + 3_000);
    const bal = await cli(['phone', 'balance', '--config', phoneConfig, third.serial]);
    expect(bal.lines[0]).toMatchObject({ state: 'refunded', spendable: false, remainingMinor: 0 });
  }, 180_000);

  it('operator errors: validation issues are printed as path: message, --amount is checked locally, the keypad line says why no order came of it', async () => {
    const pinFile = writeSecretFile(dir, 'pin-cli', '1234\n');
    const keypad = async (lines: string[]) => {
      const p = new CliProcess('keypad', ['credit', 'order', '--url', creditUrl, '--keypad']);
      for (const l of lines) p.send(l);
      p.endInput();
      return { code: (await p.exited).code, output: p.output };
    };
    const [rec, amount, ended, invalid] = await Promise.all([
      cli(['credit', 'reconcile', '--url', creditUrl, '--day', '2026-12-2']),
      cli(['credit', 'order', '--url', creditUrl, '--customer', '1001', '--amount', 'abc', '--pin-file', pinFile]),
      keypad(['1001#', '5000#']),
      keypad(['1001#', 'x', 'y', 'z']),
    ]);
    expect(rec.output).not.toContain('[object Object]');
    expect(rec.output).toMatch(/issues: day: /);
    expect(amount.code).toBe(2);
    expect(amount.output).toMatch(/CLI_BAD_ARGUMENT: --amount/);
    expect(ended.code).toBe(1);
    expect(ended.output).toMatch(/CREDIT_KEYPAD_ABANDONED: .*input ended/);
    expect(ended.output).toMatch(/reason: input-ended/);
    expect(invalid.code).toBe(1);
    expect(invalid.output).toMatch(/reason: invalid-entries/);
  }, 120_000);
});
