/**
 * The prepaid terminal paid by the customer's purse card, each actor its own
 * process: `tessera center` (SQLite file; the prepaid and e-money sections:
 * e-money verifies and books the card's record), `tessera terminal` with the
 * `prepaid-issuer` role; the purse cards are virtual cards behind pcscd+vpcd
 * (this process), the medium a mount directory. A foreign card, a stolen
 * card (validity NAK), a purse short of the amount: refused, nothing debited,
 * nothing booked. A card pulled as the DEBIT reaches it: the doubt is
 * journalled and the next insertion shows the holder owed (the e-money rule),
 * nothing booked. A good card: the purse goes down by exactly the amount and
 * the medium holds it. A center that stops answering after the debit: the
 * journalled record is sent again with the same id and the medium written,
 * booked once. The ledger (float, purse-takings, prepaid@M) audits clean.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EMONEY_AUDIT } from '../../center/emoney/audit-check.js';
import { auditLedger } from '../../center/ledger/audit.js';
import { Ledger } from '../../center/ledger/ledger.js';
import { PREPAID_AUDIT } from '../../center/prepaid/audit-check.js';
import { openStorage } from '../../center/storage/open.js';
import { systemClock } from '../../core/clock.js';
import { INS } from '../../protocol/purse/constants.js';
import type { PurseApplet } from '../../sim/card/purse-applet.js';
import { mediumIdHex } from '../../protocol/prepaid/medium.js';
import { readSlots, SLOT_FILES } from '../../protocol/prepaid/slots.js';
import type { CliProcess, JsonLine } from '../../sim/world/cli-process.js';
import { openWorld, type World } from '../../sim/world/world.js';
import { DirRemovableStore } from '../../terminal/devices/files/dir-removable-store.js';

const T = 'KIOSK-PPP1';
const ISSUER = Buffer.alloc(32, 0x5e);
const CARD = 'c0ffee00000000a1';
const POOR_CARD = 'c0ffee00000000a2';
const PULLED_CARD = 'c0ffee00000000a3';
const STOLEN_CARD = 'c0ffee00000000b1';
const FOREIGN_CARD = 'f0f0f0f0f0f0f0f1';
const FAR = 4_102_444_800_000;
const PIN = '4821';
let world: World;
let agent: CliProcess;
let mountDir: string;
let dbPath: string;
const dir = mkdtempSync(join(tmpdir(), 'tessera-pppurse-'));
const secret = (name: string, text: string): string => {
  const path = join(dir, name);
  writeFileSync(path, text, { mode: 0o600 });
  return path;
};

const outcome = (p: CliProcess, pred: (o: Record<string, unknown>) => boolean, what: string, ms = 30_000): Promise<Record<string, unknown>> =>
  p.next((l: JsonLine) => typeof l['outcome'] === 'object' && l['outcome'] !== null && pred(l['outcome'] as Record<string, unknown>), ms, what).then((l) => l['outcome'] as Record<string, unknown>);
/** The test's own removal of a card mid-flow (awaited before the next insertion). */
let pulling: Promise<void> | null = null;
const balance = (cardId: string): number | undefined => world.slots.store.load(cardId)?.balanceMinor;

/** Keypad lines queued, the card inserted into the kiosk's reader; the card flow's outcome; the card out. */
async function present(cardId: string, keys: string[], during?: (chip: Awaited<ReturnType<World['slots']['insert']>>) => void): Promise<Record<string, unknown>> {
  pulling = null;
  for (const k of keys) {
    const ack = agent.next((o) => 'keypad' in o || 'error' in o);
    agent.send(`keypad ${k}`);
    expect(await ack).toEqual({ keypad: k.split(' ')[0] });
  }
  const done = outcome(agent, (o) => o['trigger'] === 'card', `card outcome (${cardId})`);
  const chip = await world.slots.insert(cardId, world.readerName(0));
  during?.(chip);
  const o = await done;
  await pulling; // a card pulled by the test is out of the slot (and pcscd has seen it) before the next goes in
  if (world.slots.card(world.readerName(0))) await world.slots.remove(world.readerName(0));
  return o;
}

async function readMedium(): Promise<ReturnType<typeof readSlots>> {
  const store = new DirRemovableStore({ mountDir });
  await store.open();
  try {
    const bytes = async (name: string) => store.readFile(name).catch(() => undefined);
    return readSlots(await bytes(SLOT_FILES[0]), await bytes(SLOT_FILES[1]));
  } finally {
    await store.close();
  }
}

beforeAll(async () => {
  const masterKeyFile = secret('prepaid.key', `${'5a'.repeat(32)}\n`);
  world = await openWorld({
    dir,
    issuerMasterKey: ISSUER,
    hardware: { readerDevices: 1, namePrefix: 'Purse Issuer Reader' },
    center: {
      process: 'cli',
      cliReadyMs: 60_000,
      terminals: [{ id: T, ownerKind: 'store', ownerId: 'STORE-1', keyRef: `k-${T}` }],
      media: [CARD, POOR_CARD, PULLED_CARD].map((id) => ({ id, expiresAtMs: FAR })).concat([{ id: STOLEN_CARD, expiresAtMs: FAR, status: 'stolen' } as never]),
      cliSections: {
        prepaid: { masterKeyFile, issuerId: 7, currency: 'JPY' },
        // E-money verifies the cards' records; no charge or settlement runs here, so its bank is never called.
        emoney: {
          issuerMasterKeyFile: secret('issuer.key', `${ISSUER.toString('hex')}\n`), currency: 'JPY',
          providerAccounts: [{ bankCode: '0001', branchCode: '009', accountNumber: '9000001', securityCodeFile: secret('code-0001', '90019001') }],
          banks: [{ bankCode: '0001', url: 'http://127.0.0.1:9' }],
        },
      },
    },
  });
  expect(world.centerCli!.readyLine).toMatchObject({ emoney: true });
  for (const [cardId, balanceMinor] of [[CARD, 10_000], [POOR_CARD, 1_000], [PULLED_CARD, 5_000], [STOLEN_CARD, 8_000]] as const) await world.sim!.issueCard({ cardId, pin: PIN, balanceMinor });
  await world.sim!.issueCard({ cardId: FOREIGN_CARD, pin: '1234', foreign: true });
  dbPath = join(world.dir, 'center.db');
  mountDir = join(world.dir, 'medium');
  mkdirSync(mountDir);
  agent = await world.startTerminalProcess({ terminalId: T, role: 'prepaid-issuer', reader: 0, storeMountDir: mountDir, link: { requestTimeoutMs: 5_000, attempts: 1 } }, { readyMs: 60_000 });
}, 120_000);
afterAll(async () => {
  await world?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('prepaid terminal paid by purse card (tessera center with e-money, tessera terminal, pcscd+vpcd purse cards)', () => {
  it('refuses a foreign card, a stolen card (validity NAK) and a purse short of the amount before any debit', async () => {
    expect(await present(FOREIGN_CARD, [])).toMatchObject({ result: 'error', code: 'TERM_FOREIGN_CARD' });
    expect(await present(STOLEN_CARD, [])).toMatchObject({ result: 'refused', code: 'TERM_CARD_NAK', mediumId: STOLEN_CARD, details: { payment: 'purse', reason: 'MEDIUM_STOLEN' } });
    expect(balance(STOLEN_CARD)).toBe(8_000);
    expect(await present(POOR_CARD, ['amount 2000'])).toMatchObject({ result: 'declined', code: 'TERM_BALANCE_INSUFFICIENT', mediumId: POOR_CARD, details: { amountMinor: 2_000, balanceMinor: 1_000 } });
    expect(balance(POOR_CARD)).toBe(1_000);
  }, 60_000);

  it('a card pulled as the DEBIT reaches it: no issue sent; its next insertion shows the holder owed (kept aside), nothing debited twice', async () => {
    const pulled = await present(PULLED_CARD, ['amount 2000', `pin ${PIN}`], (chip) => {
      // The first DEBIT is refused (PIN not verified yet); the second debits, then the chip leaves the reader
      // before its answer goes out (the answer is lost).
      const applet = chip.applet as PurseApplet;
      const process = applet.process.bind(applet);
      let debits = 0;
      applet.process = async (apdu: Buffer): Promise<Buffer> => {
        if (apdu[1] !== INS.debit || ++debits < 2) return process(apdu);
        await process(apdu);
        pulling = world.slots.remove(world.readerName(0));
        return new Promise<Buffer>(() => undefined);
      };
    });
    expect(pulled).toMatchObject({ result: 'error', code: 'TERM_DEBIT_UNCONFIRMED', mediumId: PULLED_CARD, details: { amountMinor: 2_000 } });
    expect(balance(PULLED_CARD)).toBe(3_000); // the chip did debit; its answer was lost
    const back = await present(PULLED_CARD, ['amount 2000']);
    expect(back).toMatchObject({ result: 'declined', code: 'TERM_DEBIT_UNRECORDED', mediumId: PULLED_CARD, details: { amountMinor: 2_000, cardCounter: 1, balanceMinor: 3_000 } });
    expect(balance(PULLED_CARD)).toBe(3_000);
  }, 60_000);

  it('issues a medium paid by the card: the purse goes down by exactly the amount, generation 1 on the medium holds it', async () => {
    const o = await present(CARD, ['amount 3000', `pin ${PIN}`]);
    expect(o).toMatchObject({ result: 'approved', code: null, details: { amountMinor: 3_000, balanceMinor: 3_000, payment: 'purse', cardId: CARD, cardCounter: 1, purseBalanceMinor: 7_000, slot: SLOT_FILES[0], wrote: true } });
    expect(balance(CARD)).toBe(7_000);
    const slots = await readMedium();
    expect(slots.current?.view).toMatchObject({ generation: 1, displayBalanceMinor: 3_000, currency: 'JPY', issuerId: 7 });
    expect(mediumIdHex(slots.current!.view.mediumId)).toBe(o['mediumId']);
  }, 60_000);

  it('the center stops answering after the debit: the journalled record is sent again with its id once it answers, and the medium written, booked once', async () => {
    rmSync(mountDir, { recursive: true, force: true });
    mkdirSync(mountDir); // a blank medium for the next customer
    const center = world.centerCli!.process;
    let debits = 0;
    const o = await present(CARD, ['amount 4000', `pin ${PIN}`], (chip) => chip.on('apdu', (apdu: Buffer) => {
      if (apdu[1] === INS.debit && ++debits === 2) center.signal('SIGSTOP'); // the card debits; the issue finds no center
    }));
    expect(o).toMatchObject({ result: 'error', code: 'TERM_TX_UNANSWERED' });
    expect(balance(CARD)).toBe(3_000);
    const recovered = outcome(agent, (x) => x['trigger'] === 'recover', 'the journal\'s repeat', 60_000);
    center.signal('SIGCONT');
    expect(await recovered).toMatchObject({ result: 'done', details: { recovered: 'done' } });
    const slots = await readMedium();
    expect(slots.current?.view).toMatchObject({ generation: 1, displayBalanceMinor: 4_000 });
    expect(balance(CARD)).toBe(3_000);

    await agent.stop();
    await world.centerCli!.close();
    const storage = await openStorage(dbPath);
    try {
      const media = await storage.read((q) => q.all<{ id: string; balance: number }>('SELECT id, balance FROM prepaid_media ORDER BY balance'));
      expect(media.map((m) => Number(m.balance))).toEqual([3_000, 4_000]);
      expect(mediumIdHex(slots.current!.view.mediumId)).toBe(media[1]!.id);
      expect(await storage.read((q) => q.all('SELECT kind, ref, amount FROM prepaid_payments ORDER BY amount'))).toEqual([
        { kind: 'purse', ref: `${CARD}/1`, amount: 3_000 },
        { kind: 'purse', ref: `${CARD}/2`, amount: 4_000 },
      ]);
      const ledger = await Ledger.open(storage, systemClock);
      const accounts = await ledger.lookupAccounts(['emoney-float', `purse-takings@${T}`, ...media.map((m) => `prepaid@${m.id}`)]);
      expect(accounts.map((a) => [a.id, a.creditsPostedMinor - a.debitsPostedMinor])).toEqual([
        ['emoney-float', -7_000], // the e-money that left the card (issued by the simulator, never charged here)
        [`purse-takings@${T}`, 0],
        [`prepaid@${media[0]!.id}`, 3_000],
        [`prepaid@${media[1]!.id}`, 4_000],
      ]);
      const audit = await auditLedger(storage, [PREPAID_AUDIT, EMONEY_AUDIT]);
      expect(audit.checks.filter((c) => !c.ok)).toEqual([]);
      expect(audit.ok).toBe(true);
    } finally {
      await storage.close();
    }
  }, 120_000);
});
