/**
 * `tessera voucher print` as the operator runs it (its own process) on a
 * center database with a real batch of the voucher engine: the sheet
 * decodes to exactly the batch's serials, no barcode holds a PIN, the PINs
 * read from the panels (pdftotext) are the cards' PINs (the engine answers
 * their balance once activated), and a second print is refused by the
 * center without touching any file.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStorage } from '../../center/storage/open.js';
import type { VoucherBatch } from '../../center/voucher/api.js';
import { Vouchers } from '../../center/voucher/vouchers.js';
import { systemClock } from '../../core/clock.js';
import { silentLogger } from '../../core/log.js';
import { systemRandom } from '../../core/random.js';
import { decodeSheet } from '../../sim/scanner/sheet-reader.js';
import { runCli } from '../../sim/world/cli-process.js';
import { readSheetPins } from '../support/voucher-sheet.js';

const dir = mkdtempSync(join(tmpdir(), 'tessera-vprint-cli-'));
const db = join(dir, 'center.db');
const keyFile = join(dir, 'pin.key');
const pinKey = randomBytes(32);
let batch: VoucherBatch;
let serials: string[];

async function withEngine<T>(fn: (v: Vouchers) => Promise<T>): Promise<T> {
  const storage = await openStorage(db);
  try {
    return await fn(await Vouchers.open({ storage, clock: systemClock, random: systemRandom, log: silentLogger, pinKey }));
  } finally {
    await storage.close();
  }
}

beforeAll(async () => {
  writeFileSync(keyFile, pinKey.toString('hex'), { mode: 0o600 });
  await withEngine(async (v) => {
    await v.registerHq('HQ-1', { commissionBp: 250 });
    batch = await v.issueBatch({ hqId: 'HQ-1', denomination: 1_000, count: 12 });
  });
  const storage = await openStorage(db);
  serials = (await storage.read((q) => q.all('SELECT id FROM voucher_cards WHERE batch_id = ? ORDER BY id', [batch.batchId]))).map((r) => String(r['id']));
  await storage.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('tessera voucher print (process, real engine)', () => {
  it('prints the batch once: exactly its serials in the bars, its PINs only on the panels', { timeout: 120_000 }, async () => {
    const out = join(dir, 'sheet.pdf');
    const r = await runCli(['voucher', 'print', batch.batchId, '--out', out, '--db', db, '--pin-key-file', keyFile, '--json'], {}, 60_000);
    expect(r.code, r.output).toBe(0);
    expect(r.lines[0]).toMatchObject({ batchId: batch.batchId, cards: 12, pages: 2 });
    expect(statSync(out).mode & 0o777).toBe(0o600);

    const symbols = await decodeSheet(out);
    expect(serials).toHaveLength(12);
    expect(symbols.map((s) => s.data).sort()).toEqual(serials);
    expect(serials[0]).toBe(batch.firstSerial);
    const panels = readSheetPins(out);
    expect(panels.map((p) => p.serial)).toEqual(serials);
    for (const s of symbols) for (const p of panels) expect(s.data).not.toContain(p.pin);
    expect(panels.every((p) => /^\d{16}$/.test(p.pin))).toBe(true);

    // The panels' PINs are the cards' own: activate two cards, ask their balance by the PIN read from the sheet.
    const source = { merchantId: 'm-test', keyId: 'k-test', address: '127.0.0.1' };
    await withEngine(async (v) => {
      for (const [i, p] of panels.slice(0, 2).entries()) {
        await v.activate({ requestId: `req-${i}`, hqId: 'HQ-1', storeId: 'S-1', terminalId: 'POS-1', serial: p.serial, amount: 1_000, currency: 'JPY' });
        expect(await v.balance(source, p.pin)).toMatchObject({ serialLast4: p.serial.slice(-4), balance: 1_000, state: 'active' });
      }
    });
    // No PIN in anything the command printed.
    for (const p of panels) expect(r.output).not.toContain(p.pin);

    // Printed once: a second run is refused by the center and writes nothing.
    const again = join(dir, 'again.pdf');
    const second = await runCli(['voucher', 'print', batch.batchId, '--out', again, '--db', db, '--pin-key-file', keyFile], {}, 60_000);
    expect(second.code).toBe(1);
    expect(second.output).toContain('VOUCHER_BATCH_PRINTED');
    expect(existsSync(again)).toBe(false);
  });
});
