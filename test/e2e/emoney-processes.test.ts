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
 * `tessera audit` checks the center's. The processes, their config files and
 * secret files (0600) come from one world spec (sim/world, `process: 'cli'`).
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BankHost } from '../../sim/bank/bank-host.js';
import { runCli, type CliProcess, type JsonLine } from '../../sim/world/cli-process.js';
import { openWorld, type World as OneWorld } from '../../sim/world/world.js';
import { freePort } from '../support/free-port.js';

const dir = mkdtempSync(join(tmpdir(), 'tsr-ep-'));
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

const isOutcome = (trigger: string) => (o: JsonLine) => (o['outcome'] as { trigger?: string } | undefined)?.trigger === trigger;

/** Keypad lines in, acknowledged (queued) before the card goes in; the card flow's outcome; the card out. */
async function cardFlow(t: CliProcess, reader: number, cardId: string, keys: string[]): Promise<Record<string, unknown>> {
  for (const k of keys) {
    const ack = t.next((o) => 'keypad' in o || 'error' in o);
    t.send(`keypad ${k}`);
    expect(await ack).toEqual({ keypad: k.split(' ')[0] });
  }
  const outcome = t.next(isOutcome('card'), 15_000, `card outcome (${cardId})`);
  expect(await world.simCli!.control({ cmd: 'insert', cardId, reader })).toMatchObject({ ok: true });
  const o = (await outcome)['outcome'] as Record<string, unknown>;
  expect(await world.simCli!.control({ cmd: 'remove', reader })).toMatchObject({ ok: true });
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
let world: OneWorld;

beforeAll(async () => {
  // Every part a process: the world writes the banks' configs and PIN files, the simulator's and the center's issuer key,
  // the center's config (e-money: provider security code files, the banks' URLs from their ready lines) and master key.
  world = await openWorld({
    dir,
    masterKey: CENTER_MASTER,
    issuerMasterKey: ISSUER_KEY,
    hardware: { readerDevices: 1, process: 'cli' },
    banks: {
      process: 'cli',
      banks: [
        { bankCode: '0001', name: 'Bank 0001' },
        { bankCode: '0002', name: 'Bank 0002' },
      ],
      accounts: [
        { ref: ACCT.alice, holder: 'alice', role: 'user', pin: PIN.alice, openingMinor: ALICE_OPENING },
        { ref: ACCT.providerA, holder: 'provider', role: 'provider', pin: PIN.providerA },
        { ref: ACCT.shopB, holder: 'SHOP-B', role: 'merchant', pin: PIN.shopB },
        { ref: ACCT.providerB, holder: 'provider', role: 'provider', pin: PIN.providerB, openingMinor: PROVIDER_B_OPENING },
      ],
    },
    center: {
      process: 'cli',
      cliSections: { admin: { port: 0 } },
      modules: {
        emoney: {
          config: { currency: 'JPY', providerAccounts: [{ ...ACCT.providerA, securityCode: PIN.providerA }, { ...ACCT.providerB, securityCode: PIN.providerB }] },
          shops: [{ shopId: 'SHOP-B', account: ACCT.shopB }],
          sweepIntervalMs: 200,
        },
      },
    },
  });
  const bankCli = world.bankCli!;
  expect(bankCli.ready.get('0001')).toMatchObject({ ready: true, bankCode: '0001', accounts: 2 });
  expect(bankCli.ready.get('0002')).toMatchObject({ ready: true, bankCode: '0002', accounts: 2 });
  const centerReady = world.centerCli!.readyLine;
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
  // Registered above through the admin API, as an operator does; the link as the config's defaults.
  const link = { requestTimeoutMs: 5_000, attempts: 3 };
  const issue = (args: string[]) => world.simCli!.issue(args);
  const [cash, purse, kiosk, shop] = await Promise.all([
    issue([CASH_CARD, '--cash-card', '--bank', ACCT.alice.bankCode, '--branch', ACCT.alice.branchCode, '--account', ACCT.alice.accountNumber]),
    issue([PURSE_CARD, '--pin', PIN.card, '--balance', '0']),
    world.startTerminalProcess({ terminalId: 'KIOSK-1', role: 'provider-kiosk', reader: 0, register: false, callback: false, link }),
    world.startTerminalProcess({ terminalId: 'SHOP-B1', role: 'shop', reader: 1, register: false, callback: false, link, config: { callback: { host: '127.0.0.1', port: callbackPort } } }),
  ]);
  expect(cash.code, cash.output).toBe(0);
  expect(purse.code, purse.output).toBe(0);
  w = { banks: [bankCli.processes.get('0001')!, bankCli.processes.get('0002')!], center: world.centerCli!.process, simServe: world.simCli!.process, kiosk, shop, adminPort };
}, 90_000);

afterAll(async () => {
  // Terminals, then the center, the banks and the simulator (it ends its pcscd); SIGKILL after a grace period.
  await world?.close();
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
    const printed = world.processes.map((p) => p.output).join('\n');
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
