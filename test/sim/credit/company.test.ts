/**
 * The credit company (sim/credit/) on real parts in one process: a real bank
 * host (sim/bank, SQLite) behind its relay, a real TTP (the passwords core
 * and its issuer routes on a merchant API listener, with a recording
 * delivery), the company's own SQLite journal. An order debits the customer
 * and issues once; a declined debit issues nothing; a TTP refusal refunds; a
 * TTP without an answer leaves the order paid and the next pass completes it
 * with the same request id (one password); returns are refunded once;
 * reconciliation matches, and finds a password the company never ordered.
 * Also: the keypad dialogue and the config/secret checks.
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MerchantClient } from '../../../center/merchant-api/client.js';
import { startMerchantApi, type MerchantApi } from '../../../center/merchant-api/server.js';
import { IssuerClient } from '../../../center/passwords/issuer-client.js';
import { utcDay } from '../../../center/passwords/issuer.js';
import { passwordIssuerContribution } from '../../../center/passwords/issuer-routes.js';
import type { Passwords } from '../../../center/passwords/passwords.js';
import { Relay } from '../../../center/relay/relay.js';
import { openStorage } from '../../../center/storage/open.js';
import type { Storage } from '../../../center/storage/types.js';
import { systemClock } from '../../../core/clock.js';
import { silentLogger } from '../../../core/log.js';
import { systemRandom } from '../../../core/random.js';
import { BankHost } from '../../../sim/bank/bank-host.js';
import { CreditCompany } from '../../../sim/credit/company.js';
import { parseCreditConfig, type CreditConfig } from '../../../sim/credit/config.js';
import { CreditJournal } from '../../../sim/credit/journal.js';
import { keypadDialogue, type KeypadLine } from '../../../sim/credit/keypad.js';
import { readCreditSecrets } from '../../../sim/credit/serve.js';
import { startCreditApi } from '../../../sim/credit/server.js';
import { runCli } from '../../../sim/world/cli-process.js';
import { audit, issueReq, openCore, type RecordingDelivery } from '../../center/passwords/support.js';

let dir: string;
let storage: Storage;
let api: MerchantApi;
let pw: Passwords;
let delivery: RecordingDelivery;
let bank: BankHost;
let journal: CreditJournal;
let config: CreditConfig;
const merchants: MerchantClient[] = [];
let company: CreditCompany;
let ttpKey: string;

const ALICE = { bankCode: '0001', branchCode: '001', accountNumber: '1000001' };
const CREDIT = { bankCode: '0001', branchCode: '001', accountNumber: '9000001' };

function companyWith(ttpUrl: string): CreditCompany {
  const m = new MerchantClient({ baseUrl: ttpUrl, apiKey: ttpKey, attempts: 1 });
  merchants.push(m);
  return new CreditCompany({ config, journal, relay: new Relay({ adapters: [bank] }), ttp: new IssuerClient(m), accounts: [{ ...CREDIT, pin: '4321' }], clock: systemClock, log: silentLogger });
}
const codeOf = async (p: Promise<unknown>): Promise<string> => p.then(() => 'none', (e: { code?: string }) => e.code ?? String(e));

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'credit-'));
  storage = await openStorage(join(dir, 'center.db'));
  ({ pw, delivery } = await openCore(storage, systemClock));
  api = await startMerchantApi({
    storage, host: '127.0.0.1', port: 0, clock: systemClock, random: systemRandom, log: silentLogger, rateLimit: { max: 1_000, windowMs: 1_000 },
    contributions: [passwordIssuerContribution(pw, { 'credit-a': 'CREDIT-A' })],
  });
  await api.merchants.add('credit-a');
  ttpKey = (await api.merchants.addKey('credit-a')).key;
  bank = await BankHost.open({ bankCode: '0001', name: 'Bank A', db: join(dir, 'bank.db') });
  await bank.openAccount({ ...ALICE, holder: 'alice', role: 'user', pin: '1234', openingMinor: 100_000 });
  await bank.openAccount({ ...CREDIT, holder: 'credit-a', role: 'provider', pin: '4321', openingMinor: 0 });
  config = parseCreditConfig({
    issuer: 'CREDIT-A', db: 'x.db', listen: { port: 0 }, ttp: { url: api.url, apiKeyFile: 'ttp.key' }, banks: [{ bankCode: '0001', url: 'http://127.0.0.1:1' }],
    accounts: [{ ...CREDIT, pinFile: 'credit.pin' }], customers: [{ id: '1001', ...ALICE, device: { channel: 'sms', address: '+81 90 0000 0001' } }],
  });
  journal = new CreditJournal(join(dir, 'credit.db'), systemClock);
  company = companyWith(api.url);
});
afterAll(async () => {
  expect(await audit(storage)).toEqual([]);
  for (const m of merchants) await m.close();
  journal?.close();
  await api?.close();
  await bank?.close();
  await storage?.close();
  rmSync(dir, { recursive: true, force: true });
});

const balance = (): Promise<number> => bank.balance(ALICE);

describe('credit company', () => {
  it('takes the value from the customer\'s bank, has the TTP issue once (retry by order id answers the same), books it', async () => {
    const o = await company.order({ orderId: 'ord-1', customer: '1001', amountMinor: 5_000, pin: '1234' });
    expect(o).toMatchObject({ state: 'issued', amountMinor: 5_000, address: '+81 90 0000 0001' });
    expect(o.serial).toMatch(/^[0-9a-f]{32}$/);
    expect(delivery.sent.get(o.serial!)?.address).toBe('819000000001');
    expect(await balance()).toBe(95_000);
    expect(await bank.balance(CREDIT)).toBe(5_000);
    const again = await company.order({ orderId: 'ord-1', customer: '1001', amountMinor: 5_000, pin: '1234' });
    expect(again.serial).toBe(o.serial);
    expect(await balance()).toBe(95_000);
    expect(await codeOf(company.order({ orderId: 'ord-1', customer: '1001', amountMinor: 6_000, pin: '1234' }))).toBe('CREDIT_ORDER_EXISTS_WITH_DIFFERENT_FIELDS');
    expect(journal.balances()).toMatchObject({ 'bank@0001': -5_000, 'customer@1001': 0, 'ttp-due': 5_000 });
  });

  it('a declined debit issues nothing; a TTP refusal is refunded at the bank', async () => {
    const before = delivery.sent.size;
    expect(await codeOf(company.order({ orderId: 'ord-badpin', customer: '1001', amountMinor: 1_000, pin: '9999' }))).toBe('CREDIT_BANK_DECLINED');
    expect(journal.order('ord-badpin')).toMatchObject({ state: 'declined', serial: null });
    expect(delivery.sent.size).toBe(before);
    const b = await balance();
    // The TTP refuses an address that is no MSISDN: the value goes back.
    expect(await codeOf(company.order({ orderId: 'ord-refused', customer: '1001', amountMinor: 2_000, pin: '1234', device: { channel: 'sms', address: '12', binding: 'bearer' } }))).toBe('CREDIT_TTP_REFUSED');
    expect(journal.order('ord-refused')).toMatchObject({ state: 'refunded', code: 'PASSWORD_BAD_REQUEST' });
    expect(await balance()).toBe(b);
    expect(journal.balances()['customer@1001']).toBe(0);
  });

  it('without the TTP\'s answer the order stays paid; the next pass asks again with the same request id and gets one password', async () => {
    const deaf = companyWith('http://127.0.0.1:9'); // nothing listens: no answer
    const o = await deaf.order({ orderId: 'ord-lost', customer: '1001', amountMinor: 3_000, pin: '1234' });
    expect(o.state).toBe('paid');
    expect(journal.balances()['customer@1001']).toBe(3_000);
    // The TTP issued it meanwhile (an answer lost on the way back): the retry must get that password, not a second one.
    const first = await pw.issue({ ...issueReq({ requestId: 'ord-lost', amountMinor: 3_000, address: '819000000001' }), partial: true });
    const w = await company.work();
    expect(w.orders).toBe(1);
    expect(journal.order('ord-lost')).toMatchObject({ state: 'issued', serial: first.serial });
    expect(journal.balances()['customer@1001']).toBe(0);
  });

  it('takes in each return once and refunds it to the customer\'s account once', async () => {
    const o = await company.order({ orderId: 'ord-revoke', customer: '1001', amountMinor: 4_000, pin: '1234' });
    const b = await balance();
    await pw.revoke(o.serial!, 'CREDIT-A');
    const w = await company.work();
    expect(w.returns).toEqual({ taken: 1, refunded: 1 });
    expect(await balance()).toBe(b + 4_000);
    expect(journal.returns()).toMatchObject([{ serial: o.serial, orderId: 'ord-revoke', amountMinor: 4_000, state: 'refunded' }]);
    expect((await company.work()).returns).toEqual({ taken: 0, refunded: 0 });
    expect(await balance()).toBe(b + 4_000);
    expect(journal.balances()).toMatchObject({ 'customer@1001': 0, 'ttp-due': 5_000 + 3_000 });
  });

  it('reconciles the day against the TTP\'s daily file, and reports a password it never ordered', async () => {
    const day = utcDay(Date.now());
    const r = await company.reconcile(day);
    expect(r.findings).toEqual([]);
    expect(r).toMatchObject({ matched: true, books: { issued: { count: 3, totalMinor: 12_000 }, returned: { count: 1, totalMinor: 4_000 } } });
    expect(r.ttp.issued).toEqual(r.books.issued);
    await pw.issue(issueReq({ requestId: 'not-an-order', amountMinor: 700, address: '819000000002' }));
    const bad = await company.reconcile(day);
    expect(bad.matched).toBe(false);
    expect(bad.findings.map((f) => f.code).sort()).toEqual(['CREDIT_RECON_ISSUED_MISMATCH', 'CREDIT_RECON_UNKNOWN_SERIAL']);
  });

  it('`tessera credit orders` shows an order whose delivery failed as returned and refunded, not as sent to the device', async () => {
    const o = await company.order({ orderId: 'ord-undelivered', customer: '1001', amountMinor: 1_500, pin: '1234' });
    const b = await balance();
    await pw.onOutcome({ passwordId: o.serial!, outcome: 'failed', channel: 'sms', atMs: Date.now(), detail: 'undeliverable' });
    expect((await company.work()).returns).toEqual({ taken: 1, refunded: 1 });
    expect(await balance()).toBe(b + 1_500);
    const http = await startCreditApi(company, { host: '127.0.0.1', port: 0 });
    try {
      const view = (await (await fetch(`${http.url}/orders/ord-undelivered`)).json()) as Record<string, unknown>;
      expect(view).toMatchObject({ state: 'issued', returnedMinor: 1_500, refundedMinor: 1_500 });
      const out = await runCli(['credit', 'orders', '--url', http.url], {}, 60_000);
      expect(out.code, out.output).toBe(0);
      const line = out.output.split('\n').find((l) => l.startsWith('order ord-undelivered:'))!;
      expect(line).toMatch(/all of it came back from the TTP \(.+\); refunded to the customer: 1500 JPY$/);
      expect(line).not.toContain('is sent to');
      // An order with nothing returned still reads as sent.
      expect(out.output).toMatch(/order ord-1: issued, serial [0-9a-f]{32}; the password is sent to sms /);
    } finally {
      await http.close();
    }
  }, 90_000);

  it('pays the TTP\'s bank account what it is owed for prefunded passwords (net of returns), once per settlement; the next pass pays only new issues', async () => {
    const TTP = { bankCode: '0001', branchCode: '001', accountNumber: '7000001' };
    await bank.openAccount({ ...TTP, holder: 'ttp', role: 'provider', pin: '7777', openingMinor: 0 });
    const m = new MerchantClient({ baseUrl: api.url, apiKey: ttpKey, attempts: 1 });
    merchants.push(m);
    const settling = new CreditCompany({
      config: { ...config, ttp: { ...config.ttp, settlementAccount: TTP } }, journal, relay: new Relay({ adapters: [bank] }), ttp: new IssuerClient(m),
      accounts: [{ ...CREDIT, pin: '4321' }], clock: systemClock, log: silentLogger,
    });
    const owed = journal.balances()['ttp-due']!;
    expect(owed).toBe(5_000 + 3_000); // issued 5,000 + 3,000 + 4,000 + 1,500; returned 4,000 + 1,500
    const credit = await bank.balance(CREDIT);
    expect(await settling.settleTtp()).toBe(owed);
    expect(await bank.balance(TTP)).toBe(owed);
    expect(await bank.balance(CREDIT)).toBe(credit - owed);
    expect(journal.balances()['ttp-due']).toBe(0);
    expect(await settling.settleTtp()).toBe(0); // nothing owed: nothing sent again
    await settling.order({ orderId: 'ord-after-settle', customer: '1001', amountMinor: 1_000, pin: '1234' });
    await settling.work();
    expect(await bank.balance(TTP)).toBe(owed + 1_000);
    expect(journal.balances()).toMatchObject({ 'ttp-due': 0, 'customer@1001': 0 });
    expect(() => parseCreditConfig({ ...config, ttp: { ...config.ttp, settlementAccount: { ...TTP, bankCode: '0002' } } })).toThrow(/no account at bank 0002/);
  });

  it('the keypad line: bad entries asked again, then the order; 2 cancels', async () => {
    const script = (answers: string[]): KeypadLine & { said: string[] } => {
      const said: string[] = [];
      return { said, say: (t) => void said.push(t), next: async () => answers.shift() ?? null };
    };
    const line = script(['1001#', 'abc', '2500#', '1234#', '1']);
    expect(await keypadDialogue(line, 'JPY')).toEqual({ customer: '1001', amountMinor: 2_500, pin: '1234' });
    expect(line.said.join('\n')).not.toContain('1234');
    expect(line.said).toContain('That entry is not valid.');
    expect(await keypadDialogue(script(['1001', '2500', '1234', '2']), 'JPY')).toBeNull();
    expect(await keypadDialogue(script(['1001']), 'JPY')).toBeNull();
  });

  it('refuses a config naming a customer at a bank without an account, and secret files open to others', () => {
    expect(() => parseCreditConfig({ ...config, customers: [{ id: 'x', bankCode: '0002', branchCode: '001', accountNumber: '1000001' }] })).toThrow(/CREDIT_CONFIG_INVALID|no account at bank 0002/);
    writeFileSync(join(dir, 'ttp.key'), 'tk_key\n', { mode: 0o600 });
    writeFileSync(join(dir, 'credit.pin'), '4321\n', { mode: 0o644 });
    chmodSync(join(dir, 'credit.pin'), 0o644);
    try {
      readCreditSecrets(config, dir);
      throw new Error('accepted');
    } catch (e) {
      expect((e as { code?: string }).code).toBe('CREDIT_SECRET_FILE');
    }
    chmodSync(join(dir, 'credit.pin'), 0o600);
    expect(readCreditSecrets(config, dir).accounts[0]!.pin).toBe('4321');
  });
});
