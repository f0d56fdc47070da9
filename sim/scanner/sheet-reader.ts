/**
 * The simulated scanner's eye on a printed voucher sheet (`tessera voucher
 * print`): it renders the PDF's pages to images with `pdftoppm` (Debian
 * poppler-utils) and decodes the barcodes in them with `zbarimg` (Debian
 * zbar-tools), so a test's scanner reads a card from the printed bars, not
 * from a number it was handed. `readCard` crops one card's box from its
 * page (a clerk holds one card under the scanner); `decodeSheet` reads every
 * barcode of every page. `scanCardFromSheet` types what it read over the
 * scanner's pty the way the real scanner does: AIM identifier, data, CR.
 *
 * The page images show the PINs: they live in a 0700 temp directory that is
 * removed when the call ends.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TesseraError } from '../../core/errors.js';
import { cardSlot } from '../../center/voucher/print/sheet.js';
import { SIM_LIMITS } from '../limits.js';
import type { VirtualScanner } from './virtual-scanner.js';

/** One barcode found in an image: zbar's symbology name and the decoded text. */
export interface DecodedSymbol {
  /** zbar's name, e.g. `CODE-128`. */
  readonly symbology: string;
  readonly data: string;
}

export interface SheetSymbol extends DecodedSymbol {
  /** 1-based page. */
  readonly page: number;
}

/**
 * The AIM symbology identifier a scanner prefixes for a zbar symbology
 * (ISO/IEC 15424): Code 128 without FNC1 is `]C0` (GS1-128, with FNC1 in
 * first position, would be `]C1`; zbar reports both as CODE-128 and the
 * sheet prints plain Code 128).
 */
export const AIM_BY_SYMBOLOGY: Readonly<Record<string, string>> = { 'CODE-128': ']C0', 'EAN-13': ']E0', QRCODE: ']Q1' };

function run(cmd: string, args: readonly string[], what: Record<string, unknown>): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { timeout: SIM_LIMITS.sheetToolTimeoutMs, maxBuffer: SIM_LIMITS.sheetToolOutputBytesMax, encoding: 'utf8' }, (err, stdout) => {
      // zbarimg exits 4 when an image holds no barcode: that is an answer (none), not a failure.
      if (err && !(cmd === 'zbarimg' && err.code === 4)) {
        reject(new TesseraError('SIM_SHEET_UNREADABLE', `${cmd} failed`, { ...what, tool: cmd }, { cause: err }));
        return;
      }
      resolve(stdout);
    });
  });
}

/** The barcodes zbarimg finds in one image file. */
export async function decodeImage(png: string): Promise<DecodedSymbol[]> {
  const xml = await run('zbarimg', ['--quiet', '--xml', png], { image: png });
  const out: DecodedSymbol[] = [];
  for (const m of xml.matchAll(/<symbol type='([^']+)'[^>]*><data><!\[CDATA\[([\s\S]*?)\]\]><\/data>/g)) {
    out.push({ symbology: m[1] ?? '', data: m[2] ?? '' });
  }
  return out;
}

async function withTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'tessera-sheet-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Every barcode on every page of a sheet, page by page. */
export async function decodeSheet(pdf: string, dpi: number = SIM_LIMITS.sheetRenderDpiCount): Promise<SheetSymbol[]> {
  return withTempDir(async (dir) => {
    await run('pdftoppm', ['-r', String(dpi), '-png', pdf, join(dir, 'page')], { sheet: pdf });
    // pdftoppm names pages page-1.png or page-01.png ... (zero-padded to the page count's width).
    const pages = (await readdir(dir))
      .map((name) => ({ name, page: Number(/^page-(\d+)\.png$/.exec(name)?.[1]) }))
      .filter((p) => Number.isSafeInteger(p.page))
      .sort((a, b) => a.page - b.page);
    const out: SheetSymbol[] = [];
    for (const p of pages) for (const s of await decodeImage(join(dir, p.name))) out.push({ ...s, page: p.page });
    return out;
  });
}

/** The one barcode on card `index` (0-based, in print order) of a sheet: its page rendered, the card's box cropped, decoded. */
export async function readCard(pdf: string, index: number, dpi: number = SIM_LIMITS.sheetRenderDpiCount): Promise<DecodedSymbol> {
  const { page, box } = cardSlot(index);
  const px = (pt: number): string => String(Math.round((pt * dpi) / 72));
  return withTempDir(async (dir) => {
    const base = join(dir, 'card');
    await run(
      'pdftoppm',
      ['-f', String(page), '-l', String(page), '-r', String(dpi), '-x', px(box.x), '-y', px(box.y), '-W', px(box.w), '-H', px(box.h), '-png', '-singlefile', pdf, base],
      { sheet: pdf, page, card: index },
    );
    const found = await decodeImage(`${base}.png`);
    const only = found[0];
    if (found.length !== 1 || only === undefined) {
      throw new TesseraError('SIM_SHEET_UNREADABLE', `card ${index} of the sheet shows ${found.length} barcodes (one expected)`, { sheet: pdf, page, card: index, found: found.length });
    }
    return only;
  });
}

/**
 * The scanner reads card `index` of the sheet and sends it over its pty as
 * the real one does: AIM identifier of the symbology (`]C0` for the sheet's
 * Code 128), the data, CR. Returns what it read.
 */
export async function scanCardFromSheet(scanner: VirtualScanner, pdf: string, index: number): Promise<DecodedSymbol> {
  const symbol = await readCard(pdf, index);
  const aim = AIM_BY_SYMBOLOGY[symbol.symbology];
  if (aim === undefined) throw new TesseraError('SIM_SHEET_UNREADABLE', `card ${index}: symbology ${symbol.symbology} has no AIM identifier here`, { sheet: pdf, card: index });
  await scanner.scan(symbol.data, { aim });
  return symbol;
}

