/**
 * Seed 003 in a shop, end to end: the TTP (a center with the passwords
 * module, its delivery from the config: SMPP to the simulated SMSC process)
 * issues a device-bound password that reaches the phone (`tessera phone
 * serve`, its own process) by SMS; `tessera phone qr` renders the phone's
 * device-signed QR as a PNG; zbarimg decodes the image and the simulator's
 * scanner types it over a socat pty into the till (`tessera terminal`, role
 * password-pos, its own process), which checks it offline and sends
 * PASSWORD_SALE_REQUEST: approved, the value left shown; the same QR again
 * is PASSWORD_REPLAYED; an altered QR is refused at the till offline. The captured value is then paid to the shop's bank
 * account through the relay (an HTTP bank host) with a reconciliation id,
 * on the shop's statement and in the TTP's daily file.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLedger } from '../../center/ledger/audit.js';
import { PASSWORDS_AUDIT } from '../../center/passwords/audit-check.js';
import type { Passwords } from '../../center/passwords/passwords.js';
import { businessDayOf } from '../../center/hq/daily-file.js';
import { PhoneStore } from '../../sim/phone/store.js';
import { decodeImage } from '../../sim/scanner/sheet-reader.js';
import { runCli, type CliProcess, type JsonLine } from '../../sim/world/cli-process.js';
import { writeSecretFile } from '../../sim/world/cli-parts.js';
import { openWorld, type World } from '../../sim/world/world.js';
import { SMPP_SYSTEM_ID, startPhoneProcess, startSmscProcess, testDir, waitFor, type Party, type PhoneProcess } from '../center/passwords/delivery/support/messaging.js';

const ALICE = '819000000001';
const TTP_ACCOUNT = { bankCode: '0001', branchCode: '001', accountNumber: '7000001' };
const SHOP_ACCOUNT = { bankCode: '0001', branchCode: '002', accountNumber: '1000001' };
const TTP_CODE = '4321';

let dir: string;
let smsc: Party & { passwordFile: string };
let alice: PhoneProcess;
let world: World;
let till: CliProcess;
let pw: Passwords;

const outcome = (o: JsonLine) => o['outcome'] as { trigger: string; result: string; code: string | null; transactionId?: string; details?: Record<string, unknown> };

/** Keys the amount on the till, then the scanner types `data` (AIM ]Q1: a QR code); the till's outcome of that scan. */
async function pay(amountMinor: number, data: string): Promise<ReturnType<typeof outcome>> {
  const keyed = till.next((o) => o['keypad'] === 'amount', 20_000, 'keypad amount taken');
  till.send(`keypad amount ${amountMinor}`);
  await keyed;
  const next = till.next((o) => o['outcome'] !== undefined && outcome(o).trigger === 'scan', 40_000, 'scan outcome');
  await world.sim!.scan('scanner0', data, { aim: ']Q1' });
  return outcome(await next);
}

beforeAll(async () => {
  dir = testDir('pw-pos');
  smsc = await startSmscProcess(dir, [ALICE]);
  alice = await startPhoneProcess(dir, 'alice', { msisdn: ALICE, smscPort: smsc.port });
  const ttpKeyFile = join(dir, 'ttp.key');
  writeFileSync(ttpKeyFile, `${'5a'.repeat(32)}\n`, { mode: 0o600 });
  const securityCodeFile = writeSecretFile(dir, 'ttp-bank.code', TTP_CODE);
  world = await openWorld({
    dir,
    hardware: { readerDevices: 1, scanners: 1 },
    banks: {
      transport: 'http',
      banks: [{ bankCode: '0001', name: 'Bank 0001' }],
      accounts: [
        { ref: TTP_ACCOUNT, holder: 'TTP', role: 'provider', pin: TTP_CODE, openingMinor: 1_000_000 },
        { ref: SHOP_ACCOUNT, holder: 'SHOP-1', role: 'merchant', pin: '9999' },
      ],
    },
    center: {
      sections: (banks) => ({
        passwords: {
          ttpKeyFile,
          issuers: ['CREDIT-A'],
          sweepIntervalMs: 1_000,
          delivery: { smpp: { host: '127.0.0.1', port: smsc.port, systemId: SMPP_SYSTEM_ID, passwordFile: smsc.passwordFile }, attemptsMax: 3, backoffMsBase: 100, sweepIntervalMs: 50 },
          payouts: {
            shops: [{ merchantId: 'SHOP-1', ...SHOP_ACCOUNT }],
            ownerAccounts: [{ ...TTP_ACCOUNT, securityCodeFile }],
            banks: [{ bankCode: '0001', url: `http://127.0.0.1:${banks!.byCode.get('0001')!.http!.address.port}` }],
          },
        },
      }),
    },
  });
  pw = world.node!.center!.module<Passwords>('passwords');
  till = await world.startTerminalProcess({
    terminalId: 'POS-1',
    role: 'password-pos',
    ownerId: 'SHOP-1',
    scanner: 'scanner0',
    callback: false,
    link: { requestTimeoutMs: 5_000, attempts: 1 },
    // A device QR is about 450 characters: above the scanner's default line length.
    devices: { scanner: { port: world.sim!.scanner('scanner0').devicePath, baudRate: 9600, maxLineBytes: 1_100 } },
    roleSettings: { ttpPublicKeys: [pw.keys.publicKey.toString('hex')], shopId: 'SHOP-1' },
  }, { readyMs: 120_000 }); // a tsx process starts slowly on a loaded machine
}, 300_000);

afterAll(async () => {
  await world?.close();
  await Promise.all([alice?.process.stop(), smsc?.process.stop()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
}, 60_000);

describe('settlement password in a shop: phone QR → scanner → till → TTP → shop bank', () => {
  it('a device-bound password delivered by SMS is paid by the QR decoded off the phone\'s image (value left shown); the same QR again is PASSWORD_REPLAYED; the shop is paid out through its bank with a reconciliation id', async () => {
    const a = await pw.issue({
      issuer: 'CREDIT-A', requestId: 'order-1', amountMinor: 5_000, currency: 'JPY', partial: true, binding: 'device',
      deviceKey: Buffer.from(alice.devicePublicKey, 'base64url'), channel: 'sms', address: ALICE,
    });
    await waitFor('password delivered', async () => (await pw.view(a.serial))?.state === 'delivered', 40_000);
    const m = await waitFor('message on the phone', async () => new PhoneStore(alice.dir).messages.find((x) => x.ref === a.passwordId), 20_000);

    // The phone's screen: a PNG rendered by `tessera phone qr`, read by the scanner's eye (zbarimg).
    const png = join(dir, 'alice-qr.png');
    const rendered = await runCli(['phone', 'qr', '--config', alice.config, '--message', m.id, '--out', png], {}, 60_000);
    expect(rendered.code, rendered.output).toBe(0);
    const [sym, ...more] = await decodeImage(png);
    expect(more).toEqual([]);
    expect(sym!.symbology).toBe('QR-Code'); // zbar's name of a QR code
    expect(sym!.data).toMatch(/^TPQ1:[A-Z2-7]+$/);

    const sale = await pay(1_200, sym!.data);
    expect({ result: sale.result, code: sale.code, amount: sale.details?.['amountMinor'], left: sale.details?.['balanceMinor'] }).toEqual({ result: 'approved', code: null, amount: 1_200, left: 3_800 });
    expect(sale.details?.['receipt']).toBe('PAID 1200 JPY BY SETTLEMENT PASSWORD; LEFT 3800 JPY');
    expect(await pw.view(a.serial)).toMatchObject({ state: 'partly-used', remainingMinor: 3_800 });

    const replay = await pay(1_200, sym!.data);
    expect([replay.result, replay.code, replay.details?.['reason']]).toEqual(['declined', 'TERM_PASSWORD_DECLINED', 'PASSWORD_REPLAYED']);
    expect((await pw.view(a.serial))?.remainingMinor).toBe(3_800);
    // A QR whose signed terms were altered (one character of the payload changed) is refused at the till, offline: nothing is sent.
    const at = 40;
    const forged = sym!.data.slice(0, at) + (sym!.data[at] === 'A' ? 'B' : 'A') + sym!.data.slice(at + 1);
    const refused = await pay(1_200, forged);
    expect([refused.result, refused.code]).toEqual(['error', 'TERM_PASSWORD_SCAN_INVALID']);
    expect(String(refused.details?.['reason'])).toMatch(/^PWTOKEN_/);
    expect((await pw.statement('SHOP-1')).sales).toHaveLength(1);

    // The payout: pw-payable@SHOP-1 → the shop's account at its bank, from the TTP's own account there.
    const banks = world.banks!;
    await waitFor('the shop paid at its bank', async () => (await banks.balance(SHOP_ACCOUNT)) === 1_200, 30_000);
    // The bank answered before the TTP books the payout paid: wait for that state too, not for a race.
    const st = await waitFor('the payout booked paid', async () => {
      const x = await pw.statement('SHOP-1');
      return x.paidOutMinor === 1_200 ? x : undefined;
    }, 30_000);
    expect(st).toMatchObject({ capturedMinor: 1_200, paidOutMinor: 1_200, pendingMinor: 0, payableMinor: 0 });
    expect(st.payouts).toHaveLength(1);
    expect(st.payouts[0]).toMatchObject({ state: 'paid', amountMinor: 1_200, bankCode: '0001' });
    expect(st.payouts[0]!.payoutId).toMatch(/^pp_[0-9a-f]{24}$/);
    expect(st.sales.map((s) => s.requestId)).toEqual([`pos:POS-1:${sale.transactionId}`]);
    const day = businessDayOf('Asia/Tokyo')(Date.now());
    const file = await pw.dailyFile(day, 'SHOP-1');
    expect(file.totals).toMatchObject({ sales: 1, salesMinor: 1_200, payouts: 1, paidOutMinor: 1_200, netMinor: 1_200 });
    expect(file.lines.find((l) => l.kind === 'payout')?.id).toBe(st.payouts[0]!.payoutId);
    const audit = await auditLedger(world.node!.center!.storage, [PASSWORDS_AUDIT]);
    expect(audit.checks.filter((c) => !c.ok)).toEqual([]);
  }, 180_000);
});
