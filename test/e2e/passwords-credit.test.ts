/**
 * Settlement passwords ordered at the credit company, end to end, every
 * actor its own `tessera` process: the bank (`bank serve`), the TTP (`center`
 * with the merchant API and the passwords module delivering over SMPP), the
 * SMSC (`smsc serve`), the customer's phone (`phone serve`), the credit
 * company (`credit serve`), and the card holder's keypad line (`credit
 * order --keypad`). The shop is the test, through the merchant API client.
 *
 * 1. kill -9 of the credit company after the bank debit and after the TTP
 *    issued, before it journaled the answer: the restarted process asks again
 *    with the same request id and the order completes once (one password at
 *    the TTP, one on the phone, one debit).
 * 2. keypad order → the bank debited → the password (sent to "+81 90 …",
 *    normalised) delivered by SMPP to the phone → spent in part by a shop →
 *    both passwords expire: the sweep returns the rest → the customer is
 *    refunded at the bank → the books reconcile with the TTP's daily file.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MerchantClient } from '../../center/merchant-api/client.js';
import { MerchantRegistry } from '../../center/merchant-api/merchants.js';
import { PasswordsClient } from '../../center/passwords/client.js';
import { utcDay } from '../../center/passwords/issuer.js';
import { openStorage } from '../../center/storage/open.js';
import { systemClock } from '../../core/clock.js';
import { systemRandom } from '../../core/random.js';
import { PhoneStore } from '../../sim/phone/store.js';
import { CliCenter } from '../../sim/world/center-cli.js';
import { writeConfigFile, writeSecretFile } from '../../sim/world/cli-parts.js';
import { CliProcess } from '../../sim/world/cli-process.js';
import { freeLoopbackPort } from '../../sim/world/terminals.js';
import { keyDir } from '../center/server/support.js';
import { SMPP_SYSTEM_ID, startPhoneProcess, startSmscProcess, testDir, waitFor, type Party, type PhoneProcess } from '../center/passwords/delivery/support/messaging.js';

const MSISDN = '819000000001';
const ALICE = { bankCode: '0001', branchCode: '001', accountNumber: '1000001' };
const CREDIT = { bankCode: '0001', branchCode: '001', accountNumber: '9000001' };
const OPENING = 100_000;
const LIFETIME_MS = 20_000;

let dir: string;
const k = keyDir();
let bank: CliProcess;
let bankUrl: string;
const bankDb = (): string => join(dir, 'bank-0001.db');
const creditPinFile = (): string => join(dir, 'pin-credit');

/** `tessera bank serve` with alice's account and the credit company's (PINs in 0600 files). */
async function startBank(): Promise<CliProcess> {
  const accounts = [
    { holder: 'alice', role: 'user', ...ALICE, pinFile: writeSecretFile(dir, 'pin-alice', '1234\n'), openingMinor: OPENING },
    { holder: 'credit-a', role: 'provider', ...CREDIT, pinFile: writeSecretFile(dir, 'pin-credit', '4321\n') },
  ].map(({ bankCode: _b, ...a }) => a);
  const config = writeConfigFile(dir, 'bank-0001.json', { bankCode: '0001', db: bankDb(), listen: { host: '127.0.0.1', port: 0 }, accounts });
  const p = new CliProcess('bank 0001', ['bank', 'serve', '--config', config]);
  bankUrl = `http://127.0.0.1:${Number((await p.ready(120_000))['port'])}`;
  return p;
}
let smsc: Party & { passwordFile: string };
let phone: PhoneProcess;
let center: CliCenter;
let merchantUrl: string;
let shop: MerchantClient;
const credits: CliProcess[] = [];
let creditUrl: string;

function balanceAt(ref: typeof ALICE): number {
  const db = new Database(bankDb(), { readonly: true });
  try {
    const r = db.prepare('SELECT credits_posted - debits_posted AS b FROM ledger_accounts WHERE id = ?').get(`acct:${ref.branchCode}-${ref.accountNumber}`) as { b: number };
    return r.b;
  } finally {
    db.close();
  }
}
const phoneMessage = (serial: string) => new PhoneStore(phone.dir).messages.find((m) => m.ref === serial);
const creditConfig = (name: string, faults: Record<string, unknown>): string =>
  writeConfigFile(dir, name, {
    issuer: 'CREDIT-A', db: join(dir, 'credit.db'), listen: { port: 0 }, ttp: { url: merchantUrl, apiKeyFile: join(dir, 'credit-ttp.key') },
    banks: [{ bankCode: '0001', url: bankUrl }], accounts: [{ ...CREDIT, pinFile: creditPinFile() }],
    customers: [{ id: '1001', ...ALICE, device: { channel: 'sms', address: '+81 90 0000 0001' } }],
    terms: { lifetimeMs: LIFETIME_MS, partial: true }, workerIntervalMs: 300, faults,
  });
async function startCredit(config: string): Promise<CliProcess> {
  const p = new CliProcess(`credit ${credits.length + 1}`, ['credit', 'serve', '--config', config]);
  credits.push(p);
  creditUrl = String((await p.ready(120_000))['url']);
  return p;
}
async function post(path: string, body: unknown, key: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${creditUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': key }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}
const get = async (path: string): Promise<Record<string, unknown>> => (await (await fetch(`${creditUrl}${path}`)).json()) as Record<string, unknown>;

beforeAll(async () => {
  dir = testDir('pw-credit');
  mkdirSync(dir, { recursive: true });
  const dbPath = join(dir, 'center.db');
  // The TTP's merchants before the center starts: the credit company (an issuer client) and a shop.
  const storage = await openStorage(dbPath);
  const reg = await MerchantRegistry.open(storage, systemClock, systemRandom);
  await reg.add('credit-a');
  await reg.add('shop-a', 'SHOP-1');
  writeSecretFile(dir, 'credit-ttp.key', `${(await reg.addKey('credit-a')).key}\n`);
  const shopKey = (await reg.addKey('shop-a')).key;
  await storage.close();

  [bank, smsc] = await Promise.all([startBank(), startSmscProcess(dir, [MSISDN])]);
  const merchantPort = await freeLoopbackPort();
  merchantUrl = `http://127.0.0.1:${merchantPort}`;
  const ttpKeyFile = writeSecretFile(dir, 'ttp.key', `${'5a'.repeat(32)}\n`);
  [phone, center] = await Promise.all([
    startPhoneProcess(dir, 'alice', { msisdn: MSISDN, smscPort: smsc.port }),
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
  shop = new MerchantClient({ baseUrl: merchantUrl, apiKey: shopKey });
}, 300_000);

afterAll(async () => {
  await shop?.close();
  for (const c of credits) c.signal('SIGKILL');
  await Promise.all([...credits.map((c) => c.exited), phone?.process.stop(), smsc?.process.stop(), center?.close(), bank?.stop()]);
  rmSync(dir, { recursive: true, force: true });
  k.remove();
});

describe('settlement passwords ordered at the credit company (every actor a process)', () => {
  let killedSerial: string;

  it('kill -9 of the credit company after the debit and the TTP issue, before it journaled the answer: the restart completes the order once', async () => {
    const held = await startCredit(creditConfig('credit-held.json', { holdAfterIssueMs: 600_000 }));
    const answer = post('/orders', { customer: '1001', amountMinor: 3_000, pin: '1234' }, 'ord-kill').catch(() => null);
    const h = await held.next((o) => o['event'] === 'held', 60_000, 'held');
    killedSerial = String(h['serial']);
    held.signal('SIGKILL');
    await held.exited;
    expect(await answer).toBeNull(); // the customer's connection died with the process
    expect(balanceAt(ALICE)).toBe(OPENING - 3_000);

    const after = await startCredit(creditConfig('credit.json', {}));
    const issued = await after.next((o) => o['event'] === 'issued' && o['orderId'] === 'ord-kill', 60_000, 'issued after restart');
    expect(issued).toMatchObject({ serial: killedSerial, replayed: true });
    // The customer asking again gets the same order.
    const again = await post('/orders', { customer: '1001', amountMinor: 3_000, pin: '1234' }, 'ord-kill');
    expect(again).toMatchObject({ status: 201, body: { orderId: 'ord-kill', state: 'issued', serial: killedSerial } });
    expect(balanceAt(ALICE)).toBe(OPENING - 3_000);
    await waitFor('the password on the phone', async () => phoneMessage(killedSerial), 60_000);
    const file = (await fetch(`${merchantUrl}/v1/issuer/daily-files/${utcDay(Date.now())}`, { headers: { authorization: `Bearer ${(await import('node:fs')).readFileSync(join(dir, 'credit-ttp.key'), 'utf8').trim()}` } }).then((r) => r.json())) as { lines: { kind: string; requestId: string }[] };
    expect(file.lines.filter((l) => l.kind === 'issue' && l.requestId === 'ord-kill')).toHaveLength(1);
  }, 180_000);

  it('keypad order → bank debit → SMS to the phone → a shop spends part → expiry returns the rest → the customer is refunded → the books reconcile', async () => {
    const keypad = new CliProcess('keypad', ['credit', 'order', '--url', creditUrl, '--keypad']);
    for (const line of ['1001#', '5000#', '1234#', '1']) keypad.send(line);
    keypad.endInput();
    expect((await keypad.exited).code).toBe(0);
    expect(keypad.output).toContain('Press 1 to confirm');
    expect(keypad.output).not.toContain('1234');
    const serial = /serial ([0-9a-f]{32})/.exec(keypad.output)?.[1];
    expect(serial, keypad.output).toBeDefined();
    const orderId = /order (\S+): issued/.exec(keypad.output)?.[1];
    // The debit (the first password may already have expired and been refunded meanwhile: the end balances are exact).
    expect(await get(`/orders/${orderId}`)).toMatchObject({ state: 'issued', amountMinor: 5_000, serial, address: '+81 90 0000 0001' });
    expect(balanceAt(CREDIT)).toBeGreaterThanOrEqual(5_000);

    const m = await waitFor('the SMS on the phone', async () => phoneMessage(serial!), 60_000);
    expect(m).toMatchObject({ channel: 'sms', ref: serial });
    const pw = new PasswordsClient(shop);
    await waitFor('the password spendable', async () => ((await pw.verify({ code: m.code! })).body.spendable ? true : undefined), 30_000);
    const sale = await pw.redeem({ code: m.code! }, { amountMinor: 1_200, currency: 'JPY' });
    expect(sale.body).toMatchObject({ state: 'captured', capturedMinor: 1_200, remainingMinor: 3_800 });

    // Both passwords expire; the TTP's sweep returns 3,000 + 3,800; the credit company refunds them at the bank.
    await waitFor('both returns refunded', async () => {
      const r = (await get('/returns'))['returns'] as { serial: string; state: string }[];
      return r.filter((x) => x.state === 'refunded').length === 2 ? r : undefined;
    }, LIFETIME_MS + 60_000);
    expect(balanceAt(ALICE)).toBe(OPENING - 1_200);
    expect(balanceAt(CREDIT)).toBe(1_200);
    const books = (await get('/books'))['balances'] as Record<string, number>;
    expect(books).toMatchObject({ 'customer@1001': 0, 'ttp-due': 1_200, 'bank@0001': -1_200 });

    const rec = await get(`/reconciliations/${utcDay(Date.now())}`);
    expect(rec['findings']).toEqual([]);
    expect(rec).toMatchObject({ matched: true, books: { issued: { count: 2, totalMinor: 8_000 }, returned: { count: 2, totalMinor: 6_800 } } });
    expect((rec['ttp'] as { used: { netMinor: number } }).used.netMinor).toBe(1_200);

    // No PIN, password code or token in any process's output.
    const printed = [...credits, keypad, center.process, phone.process, smsc.process, bank].map((p) => p.output).join('\n');
    expect(printed).not.toContain(m.code!);
    expect(printed).not.toMatch(/TPW1:|"pin"/);
  }, 180_000);
});
