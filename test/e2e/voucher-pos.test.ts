/**
 * Seed 002 at the till, every actor its own process: the settlement center
 * (`tessera center` with the voucher module and its HQ link), the store HQ
 * (`tessera hq serve`, its own SQLite; sim/world/hq-party.ts), the
 * simulator (pcscd + a socat-pty barcode scanner) and the till (`tessera
 * terminal`, role voucher-pos). The till's scanner reads a card's serial
 * (Code 128, AIM `]C0`) → the HQ journals and forwards it over the signed
 * link → the card is active at the center. Then the unhappy paths: unknown,
 * other chain's, blocked and already active cards, a misread check digit,
 * a lost answer (the till voids and reverses), a kill -9 of the HQ
 * mid-activation, and the daily file reconciled between HQ and center.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../core/clock.js';
import { systemRandom } from '../../core/random.js';
import { httpsCenterLink } from '../../center/hq/center-link.js';
import type { HqSection } from '../../center/hq/config-schema.js';
import { buildDailyFile, businessDayOf, compareFiles } from '../../center/hq/daily-file.js';
import { openStorage } from '../../center/storage/open.js';
import { ValidityGate } from '../../center/validity/gate.js';
import { MediumKinds } from '../../center/validity/kinds.js';
import { ValidityRepository } from '../../center/validity/repository.js';
import { storageSource } from '../../center/validity/storage-source.js';
import type { HqDailyFile, PrintableCard } from '../../center/voucher/api.js';
import { VOUCHER_MEDIUM_KIND } from '../../center/voucher/module.js';
import { serialOf } from '../../center/voucher/serial.js';
import { renderSheet } from '../../center/voucher/print/sheet.js';
import { AIM_BY_SYMBOLOGY, readCard } from '../../sim/scanner/sheet-reader.js';
import { Vouchers } from '../../center/voucher/vouchers.js';
import { runCli, type CliProcess, type JsonLine } from '../../sim/world/cli-process.js';
import { writeSecretFile } from '../../sim/world/cli-parts.js';
import { hqParty, type RunningHq } from '../../sim/world/hq-party.js';
import { freeLoopbackPort } from '../../sim/world/terminals.js';
import { openWorld, type World } from '../../sim/world/world.js';

const dir = mkdtempSync(join(tmpdir(), 'tsr-vpos-'));
const sheetPdf = join(dir, 'batch-1.pdf');
const PIN_KEY = Buffer.alloc(32, 9);
const { privateKey: HQ_KEY, publicKey: HQ_PUB } = generateKeyPairSync('ed25519');
let world: World;
let till: CliProcess;
let cards: PrintableCard[];
let foreign: PrintableCard;
let linkUrl: string;

/** The center's database, issued before the center process starts: HQ-1 with 8 cards of 1,000 yen (one blocked), HQ-2 with one. */
async function stockCenter(): Promise<void> {
  const storage = await openStorage(join(dir, 'center.db'));
  try {
    const kinds = new MediumKinds();
    kinds.register(VOUCHER_MEDIUM_KIND);
    const validity = await ValidityRepository.open(storage, kinds);
    const log = pino({ level: 'silent' });
    const v = await Vouchers.open({ storage, clock: systemClock, random: systemRandom, log, pinKey: PIN_KEY, gate: new ValidityGate({ source: storageSource(validity), clock: systemClock, log, kinds }), validity });
    await v.registerHq('HQ-1', { commissionBp: 250 });
    await v.registerHq('HQ-2', { commissionBp: 250 });
    const b1 = await v.issueBatch({ hqId: 'HQ-1', denomination: 1000, count: 8 });
    cards = [...(await v.takeForPrinting(b1.batchId))];
    // The batch's printed sheet (what the HQ's stores receive): the till's scanner reads card 0 off it.
    writeFileSync(sheetPdf, await renderSheet(b1, cards, { createdAtMs: systemClock.nowMs() }), { mode: 0o600 });
    const b2 = await v.issueBatch({ hqId: 'HQ-2', denomination: 1000, count: 1 });
    foreign = (await v.takeForPrinting(b2.batchId))[0]!;
    await v.block({ hqId: 'HQ-1', fromSerial: cards[7]!.serial, toSerial: cards[7]!.serial, reason: 'carton lost in transit' });
  } finally {
    await storage.close();
  }
}

/** A card's state in the center's database (read-only, beside the running center). */
function cardState(serial: string): string {
  const db = new Database(join(dir, 'center.db'), { readonly: true });
  try {
    return (db.prepare('SELECT state FROM voucher_cards WHERE id = ?').get(serial) as { state: string }).state;
  } finally {
    db.close();
  }
}
function activationsOf(serial: string): number {
  const db = new Database(join(dir, 'center.db'), { readonly: true });
  try {
    return (db.prepare("SELECT count(*) AS n FROM voucher_activations WHERE serial = ? AND state <> 'tombstone'").get(serial) as { n: number }).n;
  } finally {
    db.close();
  }
}
function hqRows(): Array<{ id: string; state: string; serial: string }> {
  const db = new Database(hq().dbPath, { readonly: true });
  try {
    return db.prepare('SELECT id, state, serial FROM hq_requests ORDER BY created_ms').all() as Array<{ id: string; state: string; serial: string }>;
  } finally {
    db.close();
  }
}

const hq = (): RunningHq => world.party<RunningHq>('hq');
const outcome = (o: JsonLine) => o['outcome'] as { trigger: string; result: string; code: string | null; transactionId?: string; details?: Record<string, unknown> };
async function scan(data: string, aim = ']C0'): Promise<ReturnType<typeof outcome>> {
  const next = till.next((o) => o['outcome'] !== undefined && outcome(o).trigger === 'scan', 30_000, 'scan outcome');
  await world.sim!.scan('scanner0', data, { aim });
  return outcome(await next);
}
async function until(pred: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  await stockCenter();
  const pinKeyFile = writeSecretFile(dir, 'pin.key', PIN_KEY.toString('hex'));
  const pubFile = join(dir, 'hq-1.pub');
  writeFileSync(pubFile, HQ_PUB.export({ format: 'pem', type: 'spki' }) as string);
  const linkPort = await freeLoopbackPort();
  linkUrl = `http://127.0.0.1:${linkPort}`;
  world = await openWorld({
    dir,
    hardware: { readerDevices: 1, scanners: 1 },
    parties: [hqParty({ hqId: 'HQ-1', centerUrl: linkUrl, signingKey: HQ_KEY, commissionBp: 250, stores: [{ storeId: 'S1', terminals: ['POS-1'] }] })],
    center: {
      process: 'cli',
      cliSections: {
        voucher: { pinKeyFile, hqs: [{ hqId: 'HQ-1', commissionBp: 250 }, { hqId: 'HQ-2', commissionBp: 250 }] },
        hqLink: { port: linkPort, hqs: [{ hqId: 'HQ-1', publicPemFile: pubFile }] },
      },
    },
  });
  till = await world.startTerminalProcess({
    terminalId: 'POS-1',
    role: 'voucher-pos',
    scanner: 'scanner0',
    register: false,
    callback: false,
    config: { centers: [{ host: '127.0.0.1', port: hq().port }] },
    roleSettings: { products: [{ serialPrefix: '9', amountMinor: 1000 }], answerTimeoutMs: 6_000 },
  });
}, 120_000);

afterAll(async () => {
  await world?.close();
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

describe('voucher POS → HQ → settlement center, each its own process', () => {
  it('a card scanned off the printed sheet (its barcode image decoded, Code 128, ]C0) is activated at the center through the HQ', async () => {
    const read = await readCard(sheetPdf, 0);
    expect(read).toEqual({ symbology: 'CODE-128', data: cards[0]!.serial });
    const o = await scan(read.data, AIM_BY_SYMBOLOGY[read.symbology]);
    expect({ result: o.result, code: o.code, amount: o.details?.['amountMinor'] }).toEqual({ result: 'approved', code: null, amount: 1000 });
    expect(cardState(cards[0]!.serial)).toBe('active');
    expect(hqRows().find((r) => r.serial === cards[0]!.serial)?.state).toBe('activated');
  }, 60_000);

  it("refuses at the till, coded: unknown, another chain's, blocked and already active cards; a misread check digit never leaves the till", async () => {
    const reasons: string[] = [];
    for (const serial of [serialOf(99_999_999), foreign.serial, cards[7]!.serial, cards[0]!.serial]) {
      const o = await scan(serial);
      expect([o.result, o.code]).toEqual(['refused', 'TERM_VOUCHER_REFUSED']);
      reasons.push(String(o.details?.['reason']));
    }
    expect(reasons).toEqual(['VOUCHER_UNKNOWN', 'VOUCHER_WRONG_CHAIN', 'VOUCHER_BLOCKED', 'VOUCHER_ALREADY_ACTIVE']);
    const before = hqRows().length;
    const misread = cards[1]!.serial.slice(0, 15) + String((Number(cards[1]!.serial[15]) + 3) % 10);
    const o = await scan(misread);
    expect([o.result, o.code, o.details?.['reason']]).toEqual(['error', 'TERM_VOUCHER_SCAN_INVALID', 'check-digit']);
    expect(hqRows().length).toBe(before);
    expect(cardState(cards[1]!.serial)).toBe('issued');
    expect(cardState(foreign.serial)).toBe('issued');
  }, 90_000);

  it('the answer never comes (HQ stopped): the till voids the sale and reverses it until answered; the card is not left active', async () => {
    hq().process.signal('SIGSTOP');
    const o = await scan(cards[2]!.serial);
    expect([o.result, o.code]).toEqual(['declined', 'TERM_VOUCHER_SALE_VOIDED']);
    hq().process.signal('SIGCONT');
    // The HQ reads the stale sale, forwards it; the till's reversal follows from its outbox.
    await until(() => hqRows().some((r) => r.serial === cards[2]!.serial && r.state === 'reversed'), 30_000, 'the reversal at the HQ');
    expect(cardState(cards[2]!.serial)).toBe('issued');
    // Sold again later with a new sale: one activation at a time, never two.
    expect((await scan(cards[2]!.serial)).result).toBe('approved');
    expect(cardState(cards[2]!.serial)).toBe('active');
  }, 90_000);

  it('kill -9 of the HQ mid-activation: no double activation, no active card the customer did not pay for', async () => {
    world.centerCli!.process.signal('SIGSTOP'); // the HQ forwards and waits for the center
    const pending = scan(cards[3]!.serial);
    await until(() => hqRows().some((r) => r.serial === cards[3]!.serial), 15_000, 'the HQ journal row');
    hq().process.signal('SIGKILL');
    await hq().process.exited;
    world.centerCli!.process.signal('SIGCONT');
    const o = await pending;
    expect([o.result, o.code]).toEqual(['declined', 'TERM_VOUCHER_SALE_VOIDED']); // the customer gets the money back
    await hq().restart();
    await until(() => hqRows().some((r) => r.serial === cards[3]!.serial && r.state === 'reversed'), 30_000, 'the reversal after the restart');
    expect(cardState(cards[3]!.serial)).toBe('issued');
    expect(activationsOf(cards[3]!.serial)).toBeLessThanOrEqual(1);
  }, 90_000);

  it("the daily file: the HQ's journal and the center's file agree line by line and by control totals", async () => {
    const section = { hqId: 'HQ-1', currency: 'JPY', commissionBp: 250, timeZone: 'Asia/Tokyo' } as HqSection;
    const day = businessDayOf('Asia/Tokyo')(Date.now());
    const storage = await openStorage(hq().dbPath);
    let mine: HqDailyFile;
    try {
      mine = await storage.read((q) => buildDailyFile(q, section, day));
    } finally {
      await storage.close();
    }
    const link = httpsCenterLink({ url: linkUrl, hqId: 'HQ-1', key: HQ_KEY, clock: systemClock, random: systemRandom });
    const theirs = await link.call<HqDailyFile>('GET', `/hq/v1/daily-files/${day}`);
    expect(theirs.ok).toBe(true);
    if (!theirs.ok) return;
    expect(compareFiles(mine, theirs.value)).toEqual([]);
    expect(mine.activations).toBeGreaterThanOrEqual(2);
    expect(mine.netFaceMinor).toBe(2000); // cards 0 and 2 sold; the rest refused or reversed
    // `tessera hq settle` books a finished day (yesterday: nothing sold, nothing due) after the same comparison.
    const yesterday = businessDayOf('Asia/Tokyo')(Date.now() - 24 * 3_600_000);
    const settled = await runCli(['hq', 'settle', '--config', hq().configPath, '--day', yesterday], {}, 45_000);
    expect(settled.lines[0]).toMatchObject({ settled: true, hqId: 'HQ-1', day: yesterday, paidMinor: 0 });
    // No PIN in anything a process printed.
    for (const p of world.processes) for (const c of cards) expect(p.output).not.toContain(c.pin);
  }, 60_000);
});
