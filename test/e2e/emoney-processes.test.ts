/**
 * The seed-004 world with every piece in its own process, started the way an
 * operator does through the CLIs: `tessera bank serve` ×2 (banks 0001 and
 * 0002, each its own SQLite and HTTP endpoint), `tessera center` with the
 * `emoney` section (relay over HTTP to both banks, the sweep), `tessera sim
 * serve` (pcscd + vpcd readers; cards issued with `tessera sim issue`), and a
 * provider kiosk and a shop as `tessera terminal` agents driven by stdin
 * control lines. Charge at bank 0001 → purse credited → offline purchase at
 * a shop of bank 0002 → settle by callback → the shop is paid at its bank.
 * The books are read back from the banks' databases after they stopped, and
 * `tessera audit` checks the center's.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deriveTerminalKey } from '../../center/server/terminal-keys.js';
import { sendControlCommand } from '../../sim/control/control-client.js';
import { BankHost } from '../../sim/bank/bank-host.js';
import { CliProcess, runCli, type JsonLine } from '../../sim/world/cli-process.js';
import { freePort } from '../support/free-port.js';

const dir = mkdtempSync(join(tmpdir(), 'tsr-ep-'));
const simDir = join(dir, 'sim');
const CENTER_MASTER = createHash('sha256').update('emoney-processes/center').digest();
const ISSUER_KEY = createHash('sha256').update('emoney-processes/issuer').digest();

/** Distinct secrets, so the output scan can tell them from ports and timestamps. */
const PIN = { alice: '739146', shopB: '582913', providerA: '90019001', providerB: '90029002', card: '8642' } as const;
const ACCT = {
  alice: { bankCode: '0001', branchCode: '001', accountNumber: '1000001' },
  providerA: { bankCode: '0001', branchCode: '009', accountNumber: '9000001' },
  providerB: { bankCode: '0002', branchCode: '009', accountNumber: '9000002' },
  shopB: { bankCode: '0002', branchCode: '004', accountNumber: '4000001' },
} as const;
const ALICE_OPENING = 100_000;
/** The provider's working capital at bank 0002, where it pays SHOP-B but took no charge. */
const PROVIDER_B_OPENING = 50_000;
const CHARGE = 5_000;
const PRICE = 1_200;
const CASH_CARD = 'cace0000000000a1';
const PURSE_CARD = 'c0ffee00000000a1';

const procs: CliProcess[] = [];
const start = (name: string, args: string[], env: Record<string, string> = {}): CliProcess => {
  const p = new CliProcess(name, args, env);
  procs.push(p);
  return p;
};

function secretFile(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content, { mode: 0o600 });
  return path;
}

function jsonFile(name: string, value: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(value, null, 2));
  return path;
}

function bankConfig(bankCode: string, accounts: Array<Record<string, unknown>>): string {
  return jsonFile(`bank-${bankCode}.json`, { bankCode, db: join(dir, `bank-${bankCode}.db`), listen: { host: '127.0.0.1', port: 0 }, accounts });
}

function startBanks(): [CliProcess, CliProcess] {
  const a = bankConfig('0001', [
    { holder: 'alice', role: 'user', ...branchAccount(ACCT.alice), pinFile: secretFile('alice.pin', `${PIN.alice}\n`), openingMinor: ALICE_OPENING },
    { holder: 'provider', role: 'provider', ...branchAccount(ACCT.providerA), pinFile: secretFile('provider-0001.code', PIN.providerA) },
  ]);
  const b = bankConfig('0002', [
    { holder: 'SHOP-B', role: 'merchant', ...branchAccount(ACCT.shopB), pinFile: secretFile('shop-b.pin', PIN.shopB) },
    { holder: 'provider', role: 'provider', ...branchAccount(ACCT.providerB), pinFile: secretFile('provider-0002.code', PIN.providerB), openingMinor: PROVIDER_B_OPENING },
  ]);
  return [start('bank 0001', ['bank', 'serve', '--config', a]), start('bank 0002', ['bank', 'serve', '--config', b])];
}

const branchAccount = (a: { branchCode: string; accountNumber: string }) => ({ branchCode: a.branchCode, accountNumber: a.accountNumber });

function centerConfig(bankPorts: [number, number]): string {
  return jsonFile('center.json', {
    listen: { host: '127.0.0.1', port: 0 },
    db: join(dir, 'center.db'),
    terminalKeys: { masterKeyFile: secretFile('center-master.key', CENTER_MASTER.toString('hex')) },
    admin: { port: 0 },
    emoney: {
      issuerMasterKeyFile: join(simDir, 'issuer.key'),
      currency: 'JPY',
      providerAccounts: [
        { ...ACCT.providerA, securityCodeFile: join(dir, 'provider-0001.code') },
        { ...ACCT.providerB, securityCodeFile: join(dir, 'provider-0002.code') },
      ],
      banks: [
        { bankCode: '0001', url: `http://127.0.0.1:${bankPorts[0]}` },
        { bankCode: '0002', url: `http://127.0.0.1:${bankPorts[1]}` },
      ],
      shops: [{ shopId: 'SHOP-B', ...ACCT.shopB }],
      sweepIntervalMs: 200,
    },
  });
}

/** The bearer token of the admin operator the test adds with `tessera operator add` (the admin API needs one). */
let adminToken = '';

async function admin(port: number, path: string, body?: unknown): Promise<JsonLine> {
  const authorization = `Bearer ${adminToken}`;
  const res = await fetch(
    `http://127.0.0.1:${port}${path}`,
    body === undefined ? { headers: { authorization } } : { method: 'POST', headers: { 'content-type': 'application/json', authorization }, body: JSON.stringify(body) },
  );
  expect(res.status, `admin ${path}`).toBe(200);
  return (await res.json()) as JsonLine;
}

function terminalConfig(id: string, role: string, reader: string, centerPort: number, extra: Record<string, unknown>): string {
  return jsonFile(`${id}.json`, {
    terminalId: id,
    keyFile: secretFile(`${id}.key`, deriveTerminalKey(CENTER_MASTER, `k-${id}`).toString('hex')),
    role,
    centers: [{ host: '127.0.0.1', port: centerPort }],
    devices: { reader: { namePattern: `^${reader.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$` } },
    journal: join(dir, `${id}.journal.db`),
    ...extra,
  });
}

const sim = (cmd: Record<string, unknown>) => sendControlCommand(join(simDir, 'sim.sock'), cmd);
const isOutcome = (trigger: string) => (o: JsonLine) => (o['outcome'] as { trigger?: string } | undefined)?.trigger === trigger;

/** Keypad lines in, acknowledged (queued) before the card goes in; the card flow's outcome; the card out. */
async function cardFlow(t: CliProcess, reader: number, cardId: string, keys: string[]): Promise<Record<string, unknown>> {
  for (const k of keys) {
    const ack = t.next((o) => 'keypad' in o || 'error' in o);
    t.send(`keypad ${k}`);
    expect(await ack).toEqual({ keypad: k.split(' ')[0] });
  }
  const outcome = t.next(isOutcome('card'), 15_000, `card outcome (${cardId})`);
  expect(await sim({ cmd: 'insert', cardId, reader })).toMatchObject({ ok: true });
  const o = (await outcome)['outcome'] as Record<string, unknown>;
  expect(await sim({ cmd: 'remove', reader })).toMatchObject({ ok: true });
  return o;
}

interface World {
  banks: [CliProcess, CliProcess];
  center: CliProcess;
  simServe: CliProcess;
  kiosk: CliProcess;
  shop: CliProcess;
  adminPort: number;
}
let w: World;

beforeAll(async () => {
  mkdirSync(simDir, { recursive: true });
  // The operator's issuer key, 0600: `tessera sim serve` uses it for the purse cards and the center verifies with it.
  secretFile(join('sim', 'issuer.key'), `${ISSUER_KEY.toString('hex')}\n`);
  const banks = startBanks();
  const simServe = start('sim serve', ['sim', '--state-dir', simDir, 'serve', '--vpcd-devices', '1', '--scanners', '0']);
  const [readyA, readyB, simReady] = await Promise.all([banks[0].ready(), banks[1].ready(), simServe.ready(20_000)]);
  expect(readyA).toMatchObject({ ready: true, bankCode: '0001', accounts: 2 });
  expect(readyB).toMatchObject({ ready: true, bankCode: '0002', accounts: 2 });
  const center = start('center', ['center', '--config', centerConfig([Number(readyA['port']), Number(readyB['port'])])]);
  const centerReady = await center.ready();
  expect(centerReady).toMatchObject({ emoney: true, engine: 'sqlite' });
  const adminPort = Number(centerReady['admin']);
  // A loaded machine can take many seconds to start a tsx process: a generous bound.
  const added = await runCli(['operator', 'add', 'e2e-admin', '--role', 'admin', '--db', join(dir, 'center.db'), '--json'], {}, 60_000);
  expect(added.code, added.output).toBe(0);
  adminToken = String(added.lines.at(-1)?.['token']);
  // Ready: the database takes a write, migrations are current, the validity store is loaded, both banks answer.
  const readyz = await admin(adminPort, '/readyz');
  expect((readyz['checks'] as Array<{ name: string; ok: boolean }>).map((c) => `${c.name}: ${c.ok}`)).toEqual([
    'database takes a write: true', 'migrations current: true', 'validity store loaded: true', 'bank 0001 reachable: true', 'bank 0002 reachable: true',
  ]);
  const callbackPort = await freePort();
  await admin(adminPort, '/terminals', {
    terminals: [
      { id: 'KIOSK-1', ownerKind: 'store', ownerId: 'PROVIDER', keyRef: 'k-KIOSK-1' },
      { id: 'SHOP-B1', ownerKind: 'store', ownerId: 'SHOP-B', keyRef: 'k-SHOP-B1', callbackAddress: `127.0.0.1:${callbackPort}` },
    ],
  });
  // The purse card is a medium on the validity lists (the center's general gate refuses an unknown card).
  await admin(adminPort, '/media', { media: [{ id: PURSE_CARD, expiresAtMs: 4_102_444_800_000 }] });
  const readers = (simReady['readers'] as Array<{ name: string }>).map((r) => r.name);
  const env = { PCSCLITE_CSOCK_NAME: String(simReady['pcscSocket']) };
  const port = Number(centerReady['listening']);
  const kiosk = start('kiosk', ['terminal', '--config', terminalConfig('KIOSK-1', 'provider-kiosk', readers[0]!, port, {})], env);
  const shop = start('shop', ['terminal', '--config', terminalConfig('SHOP-B1', 'shop', readers[1]!, port, { callback: { host: '127.0.0.1', port: callbackPort } })], env);
  const issue = (args: string[]) => runCli(['sim', '--state-dir', simDir, 'issue', ...args]);
  const [cash, purse] = await Promise.all([
    issue([CASH_CARD, '--cash-card', '--bank', ACCT.alice.bankCode, '--branch', ACCT.alice.branchCode, '--account', ACCT.alice.accountNumber]),
    issue([PURSE_CARD, '--pin', PIN.card, '--balance', '0']),
    kiosk.ready(),
    shop.ready(),
  ]);
  expect(cash.code, cash.output).toBe(0);
  expect(purse.code, purse.output).toBe(0);
  w = { banks, center, simServe, kiosk, shop, adminPort };
}, 60_000);

afterAll(async () => {
  // Terminals, then the center, the simulator (it ends its pcscd) and the banks; SIGKILL after a grace period.
  for (const group of [procs.filter((p) => p.name === 'kiosk' || p.name === 'shop'), procs.filter((p) => p.name === 'center'), procs.filter((p) => !['kiosk', 'shop', 'center'].includes(p.name))]) {
    await Promise.all(group.map((p) => p.stop()));
  }
  rmSync(dir, { recursive: true, force: true });
});

// One case drives seven processes through a charge, a sale and a settlement, each step a tsx CLI or a
// control line: ~20 s on an idle machine, over 30 s when the suite shares two cores with other runs.
describe('the e-money world as separate processes (tessera bank / center / sim / terminal)', { timeout: 120_000 }, () => {
  it('charges at bank 0001, buys at a shop of bank 0002, settles and pays the shop; every process stops cleanly; audit passes', async () => {
    const charged = await cardFlow(w.kiosk, 0, CASH_CARD, [`amount ${CHARGE}`, `pin ${PIN.alice}`]);
    expect(charged).toMatchObject({ result: 'approved', code: null, details: { stage: 'charged', amountMinor: CHARGE, bankCode: '0001' } });
    const credited = await cardFlow(w.kiosk, 0, PURSE_CARD, [`pin ${PIN.card}`]);
    expect(credited).toMatchObject({ result: 'approved', mediumId: PURSE_CARD, details: { stage: 'credited', amountMinor: CHARGE, balanceMinor: CHARGE, confirmed: true } });

    const bought = await cardFlow(w.shop, 1, PURSE_CARD, [`amount ${PRICE}`, `pin ${PIN.card}`]);
    expect(bought).toMatchObject({ result: 'approved', mediumId: PURSE_CARD, details: { amountMinor: PRICE, balanceMinor: CHARGE - PRICE } });

    const settled = w.shop.next(isOutcome('command'), 15_000, 'settle outcome');
    w.shop.send('command settle');
    expect((await settled)['outcome']).toMatchObject({ result: 'done', details: { settledCount: 1, settledMinor: PRICE, remainingCount: 0, providerAccount: { bankCode: '0002' } } });
    // The center pays the shop after the acknowledgement (relay → bank 0002): settle-clearing@0002 in and out.
    await expect.poll(async () => admin(w.adminPort, '/accounts/settle-clearing@0002'), { timeout: 5_000, interval: 100 }).toMatchObject({ debitsPostedMinor: PRICE, creditsPostedMinor: PRICE });

    const ends = await Promise.all([w.kiosk.stop(), w.shop.stop()]);
    expect(ends.map((e) => e.code)).toEqual([0, 0]);
    expect((await w.center.stop()).code).toBe(0);
    const last = await Promise.all([w.simServe.stop(), w.banks[0].stop(), w.banks[1].stop()]);
    expect(last.map((e) => e.code)).toEqual([0, 0, 0]);

    expect(await bankBalances()).toEqual({
      alice: ALICE_OPENING - CHARGE,
      providerA: CHARGE,
      shopB: PRICE,
      providerB: PROVIDER_B_OPENING - PRICE,
    });
    const audit = await runCli(['audit', '--db', join(dir, 'center.db')]);
    expect(audit.code, audit.output).toBe(0);
    // The operator's settlement report from the center database: per shop, per bank, the float.
    const report = await runCli(['report', '--db', join(dir, 'center.db'), '--json']);
    expect(report.code, report.output).toBe(0);
    expect(report.lines.at(-1)).toMatchObject({
      shops: [{ shopId: 'SHOP-B', bankCode: '0002', batches: 1, settledMinor: PRICE }],
      banks: [
        { bankCode: '0001', chargedMinor: CHARGE, settledMinor: 0, providerNetMinor: CHARGE },
        { bankCode: '0002', chargedMinor: 0, settledMinor: PRICE, providerNetMinor: -PRICE },
      ],
      floatMinor: CHARGE - PRICE,
    });
    const noEmoney = await runCli(['report', '--db', join(dir, 'bank-0001.db')]);
    expect(noEmoney.code).toBe(1);
    expect(noEmoney.output).toContain('CENTER_NO_EMONEY');
    // No PIN, security code or key in anything any process printed (logs included).
    const printed = procs.map((p) => p.output).join('\n');
    expect(printed).toContain('e-money running'); // the logs were captured, so the scan below means something
    for (const secret of [...Object.values(PIN), CENTER_MASTER.toString('hex'), ISSUER_KEY.toString('hex')]) {
      expect(printed).not.toMatch(new RegExp(`(?<![0-9a-f])${secret}(?![0-9a-f])`));
    }
  });
});

/** Each bank's own books, read from its database after its process stopped. */
async function bankBalances(): Promise<Record<string, number>> {
  const a = await BankHost.open({ bankCode: '0001', name: 'Bank 0001', db: join(dir, 'bank-0001.db') });
  const b = await BankHost.open({ bankCode: '0002', name: 'Bank 0002', db: join(dir, 'bank-0002.db') });
  try {
    return { alice: await a.balance(ACCT.alice), providerA: await a.balance(ACCT.providerA), shopB: await b.balance(ACCT.shopB), providerB: await b.balance(ACCT.providerB) };
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
}
