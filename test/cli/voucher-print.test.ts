/**
 * `tessera voucher print`'s writer (cli/commands/voucher-print.ts) against a
 * unit-test double of the voucher module's two print calls (the real module
 * is covered in the e2e suite): the sheet is a new 0600 file, never written
 * over an existing one, and the PINs are taken from the center only after
 * --out is known to be writable; if the file cannot be put in place after
 * the take, the sheet is kept beside it, not thrown away.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { PrintableCard, VoucherBatch } from '../../center/voucher/api.js';
import { printVoucherSheet, type PrintingApi } from '../../cli/commands/voucher-print.js';
import { errorCode, TesseraError } from '../../core/errors.js';
import { decodeSheet } from '../../sim/scanner/sheet-reader.js';
import { fakePrintRun } from '../support/voucher-cards.js';

const dir = mkdtempSync(join(tmpdir(), 'tessera-vprint-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The module's print calls as the contract states them: the PINs come out once. */
function onceApi(run: { batch: VoucherBatch; cards: PrintableCard[] }, beforeHandOut?: () => void): PrintingApi & { takes: number } {
  const api = {
    takes: 0,
    batch: async () => run.batch,
    takeForPrinting: async () => {
      api.takes++;
      if (api.takes > 1) throw new TesseraError('VOUCHER_BATCH_PRINTED', 'printed already');
      beforeHandOut?.();
      return run.cards;
    },
  };
  return api;
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  return p.then(() => 'none', (e: unknown) => errorCode(e));
}

describe('tessera voucher print (writer)', () => {
  it('writes the sheet to a new 0600 file that decodes to the batch', async () => {
    const run = fakePrintRun(3);
    const out = join(dir, 'sheet.pdf');
    const r = await printVoucherSheet(onceApi(run), 'B-TEST', out);
    expect(r).toMatchObject({ batchId: 'B-TEST', cards: 3, pages: 1 });
    expect(statSync(out).mode & 0o777).toBe(0o600);
    expect((await decodeSheet(out)).map((s) => s.data).sort()).toEqual(run.cards.map((c) => c.serial));
    expect(readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('refuses an existing --out before taking the PINs, and leaves the file alone', async () => {
    const out = join(dir, 'exists.pdf');
    writeFileSync(out, 'earlier sheet');
    const api = onceApi(fakePrintRun(2));
    expect(await codeOf(printVoucherSheet(api, 'B-TEST', out))).toBe('CLI_OUT_EXISTS');
    expect(api.takes).toBe(0);
    expect(statSync(out).size).toBe('earlier sheet'.length);
  });

  it('refuses an --out whose directory is missing or is not a directory, before taking the PINs', async () => {
    const notDir = join(dir, 'plain-file');
    writeFileSync(notDir, 'x');
    for (const out of [join(notDir, 'sheet.pdf'), join(dir, 'missing-dir', 'sheet.pdf')]) {
      const api = onceApi(fakePrintRun(1));
      expect(await codeOf(printVoucherSheet(api, 'B-TEST', out))).toBe('CLI_OUT_UNWRITABLE');
      expect(api.takes).toBe(0);
    }
  });

  it('keeps the sheet beside --out (0600) when the path appears after the PINs were taken', async () => {
    const out = join(dir, 'race.pdf');
    const run = fakePrintRun(2);
    const err = await printVoucherSheet(onceApi(run, () => writeFileSync(out, 'someone else')), 'B-TEST', out).then(
      () => null,
      (e: unknown) => e as TesseraError,
    );
    expect(err?.code).toBe('CLI_OUT_KEPT');
    const keptAt = String(err?.details?.keptAt);
    expect(existsSync(keptAt)).toBe(true);
    expect(statSync(keptAt).mode & 0o777).toBe(0o600);
    expect((await decodeSheet(keptAt)).map((s) => s.data).sort()).toEqual(run.cards.map((c) => c.serial));
    expect(statSync(out).size).toBe('someone else'.length);
  });
});
