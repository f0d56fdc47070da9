import { randomBytes } from 'node:crypto';
import { lstat, stat, writeFile, access } from 'node:fs/promises';
import { constants } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { writeNewFileAtomic } from '../../core/atomic-write.js';
import { systemClock, type Clock } from '../../core/clock.js';
import { errorCode, TesseraError } from '../../core/errors.js';
import type { VoucherApi } from '../../center/voucher/api.js';
import { VOUCHER_PRINT_LIMITS } from '../../center/voucher/print/limits.js';

/** What `tessera voucher print` needs of the voucher module. */
export type PrintingApi = Pick<VoucherApi, 'batch' | 'takeForPrinting'>;

export interface PrintedSheet {
  readonly batchId: string;
  readonly file: string;
  readonly cards: number;
  readonly pages: number;
  readonly bytes: number;
}

/**
 * Prints a batch's sheet to a new file: checks `out` can be created before
 * the PINs are taken (they leave the center once: `takeForPrinting`
 * refuses a second call), renders, writes it 0600 and atomically, never over
 * an existing file. If the file cannot be put at `out` after the PINs were
 * taken, the sheet is written beside it (`<out>.<random>.kept`, 0600) and
 * CLI_OUT_KEPT names it: the PINs are not thrown away.
 */
export async function printVoucherSheet(api: PrintingApi, batchId: string, out: string, clock: Clock = systemClock): Promise<PrintedSheet> {
  const file = resolve(out);
  await assertNewFile(file);
  const batch = await api.batch(batchId);
  if (batch.count > VOUCHER_PRINT_LIMITS.sheetCardsMax) {
    throw new TesseraError('CLI_BAD_ARGUMENT', `batch has ${batch.count} cards; one sheet holds at most ${VOUCHER_PRINT_LIMITS.sheetCardsMax}`, { batchId, count: batch.count });
  }
  const { renderSheet, sheetPages } = await import('../../center/voucher/print/sheet.js');
  const cards = await api.takeForPrinting(batchId);
  const pdf = await renderSheet(batch, cards, { createdAtMs: clock.nowMs() });
  try {
    await writeNewFileAtomic(file, pdf, randomBytes(6).toString('hex'));
  } catch (e) {
    const keptAt = `${file}.${randomBytes(4).toString('hex')}.kept`;
    const kept = await writeFile(keptAt, pdf, { mode: 0o600, flag: 'wx' }).then(
      () => true,
      () => false,
    );
    throw new TesseraError('CLI_OUT_KEPT', 'the sheet could not be written at --out', { path: file, ...(kept && { keptAt }) }, { cause: e });
  }
  return { batchId, file, cards: cards.length, pages: sheetPages(cards.length), bytes: pdf.length };
}

async function assertNewFile(file: string): Promise<void> {
  const exists = await lstat(file).then(
    () => true,
    (e: unknown) => {
      if (errorCode(e) === 'ENOENT') return false;
      throw new TesseraError('CLI_OUT_UNWRITABLE', 'cannot look at --out', { path: file }, { cause: e });
    },
  );
  if (exists) throw new TesseraError('CLI_OUT_EXISTS', '--out names an existing file: a sheet is never written over another', { path: file });
  const dir = dirname(file);
  try {
    if (!(await stat(dir)).isDirectory()) throw new Error('not a directory');
    await access(dir, constants.W_OK);
  } catch (e) {
    throw new TesseraError('CLI_OUT_UNWRITABLE', 'the directory of --out cannot be written', { path: dir }, { cause: e });
  }
}

export interface PrintCommandOptions {
  readonly db: string;
  readonly pinKeyFile: string;
}

/** The voucher engine on the center's database, for its two print calls (the PIN key opens the sealed PINs). */
export async function openPrintingApi(o: PrintCommandOptions): Promise<{ api: PrintingApi; close: () => Promise<void> }> {
  const [{ openStorage, parseStorageTarget }, { Vouchers }, { readPinKeyFile }, { systemRandom }, { silentLogger }] = await Promise.all([
    import('../../center/storage/open.js'),
    import('../../center/voucher/vouchers.js'),
    import('../../center/voucher/pins.js'),
    import('../../core/random.js'),
    import('../../core/log.js'),
  ]);
  const pinKey = readPinKeyFile(o.pinKeyFile);
  const storage = await openStorage(parseStorageTarget(o.db, true));
  try {
    const api = await Vouchers.open({ storage, clock: systemClock, random: systemRandom, log: silentLogger, pinKey });
    return { api, close: async () => storage.close() };
  } catch (e) {
    await storage.close();
    throw e;
  }
}

/**
 * `tessera voucher print BATCH --out FILE.pdf --db TARGET --pin-key-file FILE`:
 * added to the `voucher` command (made here if no other file made it yet).
 *
 *   tessera voucher print BATCH --out FILE.pdf --db TARGET --pin-key-file FILE [--json]
 */
export function registerVoucherPrint(
  program: Command,
  open: (o: PrintCommandOptions) => Promise<{ api: PrintingApi; close: () => Promise<void> }> = openPrintingApi,
): void {
  const voucher = program.commands.find((c) => c.name() === 'voucher') ?? program.command('voucher').description('seed 002 vouchers activated at the point of sale');
  voucher
    .command('print <batchId>')
    .description('write the printable A4 sheet of a batch (barcodes, values, scratch-off PINs) to a new 0600 PDF; the PINs leave the center only this once')
    .requiredOption('--out <file>', 'the PDF to create (must not exist)')
    .requiredOption('--db <target>', "center database (the center config's db): SQLite file path or postgres:// URL")
    .requiredOption('--pin-key-file <file>', "the voucher PIN key file (the center config's voucher.pinKeyFile), mode 0600")
    .option('--json', 'print JSON')
    .action(async (batchId: string, o: { out: string; db: string; pinKeyFile: string; json?: boolean }) => {
      await assertNewFile(resolve(o.out));
      const { api, close } = await open({ db: o.db, pinKeyFile: o.pinKeyFile });
      try {
        const r = await printVoucherSheet(api, batchId, o.out);
        process.stdout.write(o.json ? `${JSON.stringify(r)}\n` : `batch ${r.batchId}: ${r.cards} cards on ${r.pages} pages written to ${r.file} (mode 0600; it holds the PINs)\n`);
      } finally {
        await close();
      }
    });
}
