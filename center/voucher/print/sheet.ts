/**
 * The printed sheet of a voucher batch: A4 pages of cards, each with its
 * serial as a Code 128 barcode (white background, quiet zone, the digits
 * under the bars), its face value, and a scratch-off panel with the PIN in
 * groups of four.
 *
 * The barcode carries the serial only, never the PIN: stock sits unsold on
 * a shop's rack, and anyone who could scan it there would hold every PIN;
 * the card becomes spendable when a till activates it, so a thief who
 * scanned it before would spend it after the buyer paid. The PIN is printed
 * under the scratch-off layer and read by the buyer, never by a scanner.
 *
 * A sheet holds the PINs in clear: the caller writes it 0600
 * (`writeSheetFile`), and `takeForPrinting` hands the PINs out only once.
 */
import bwipjs from 'bwip-js';
import PDFDocument from 'pdfkit';
import { assert } from '../../../core/assert.js';
import type { PrintableCard, VoucherBatch } from '../api.js';
import { VOUCHER_PRINT_LIMITS } from './limits.js';

/** A4 in PDF points (1/72 inch). */
const PAGE = { width: 595.28, height: 841.89 } as const;
const MARGIN = 36;
const HEADER = 30;
const GAP = 12;
const PAD = 10;
/** One card's box on the page (columns x rows of them fill the A4 page inside its margins). */
const CARD = {
  w: (PAGE.width - 2 * MARGIN - (VOUCHER_PRINT_LIMITS.columnsCount - 1) * GAP) / VOUCHER_PRINT_LIMITS.columnsCount,
  h: (PAGE.height - 2 * MARGIN - HEADER - (VOUCHER_PRINT_LIMITS.rowsCount - 1) * GAP) / VOUCHER_PRINT_LIMITS.rowsCount,
} as const;

export interface SheetOptions {
  /** The sheet's creation date in the PDF's info (the injected clock's time; fixed in tests). */
  readonly createdAtMs: number;
}

/** The PIN as printed on the panel: groups of four digits (`1234 5678 9012 3456`). */
export function groupPin(pin: string): string {
  assert(/^[0-9]+$/.test(pin), 'a PIN is digits');
  const size = VOUCHER_PRINT_LIMITS.pinGroupDigits;
  const groups: string[] = [];
  for (let i = 0; i < pin.length; i += size) groups.push(pin.slice(i, i + size));
  return groups.join(' ');
}

/** A face value as printed: grouped digits and the currency (`1,000 JPY`; minor units in the currency's exponent). */
export function formatValue(minor: number, currency: string): string {
  assert(Number.isSafeInteger(minor) && minor >= 0, 'money is a non-negative integer of minor units');
  const exponent = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 0;
  const text = new Intl.NumberFormat('en', { minimumFractionDigits: exponent, maximumFractionDigits: exponent }).format(minor / 10 ** exponent);
  return `${text} ${currency}`;
}

/** The value line of a card: its denomination, or the limit of a variable-load card. */
export function valueLine(card: Pick<PrintableCard, 'denomination' | 'maxLoad' | 'currency'>): string {
  if (card.denomination !== null) return formatValue(card.denomination, card.currency);
  assert(card.maxLoad !== null, 'a card has a denomination or a maximum load');
  return `loaded at the till, up to ${formatValue(card.maxLoad, card.currency)}`;
}

/** The Code 128 image of a serial (PNG): white background, quiet zone both sides, the digits printed under the bars. */
export async function barcodePng(serial: string): Promise<Buffer> {
  return bwipjs.toBuffer({
    bcid: 'code128',
    text: serial,
    scale: VOUCHER_PRINT_LIMITS.barcodeScaleFactor,
    height: 12,
    includetext: true,
    textxalign: 'center',
    backgroundcolor: 'FFFFFF',
    // bwip-js pads in points at scale 1 = one module width (Code 128's minimum quiet zone is 10 modules).
    paddingwidth: VOUCHER_PRINT_LIMITS.quietZoneModulesCount,
    paddingheight: 2,
  });
}

/** Renders the sheet of `cards` (of `batch`) as a PDF. */
export async function renderSheet(batch: VoucherBatch, cards: readonly PrintableCard[], o: SheetOptions): Promise<Buffer> {
  assert(cards.length <= VOUCHER_PRINT_LIMITS.sheetCardsMax, 'the caller bounds the sheet');
  const images = [];
  for (const card of cards) images.push(await barcodePng(card.serial));
  const doc = new PDFDocument({
    size: 'A4',
    margin: 0,
    autoFirstPage: false,
    info: { Title: `Tessera vouchers, batch ${batch.batchId}`, Creator: 'tessera voucher print', CreationDate: new Date(o.createdAtMs) },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const ended = new Promise<void>((resolve, reject) => {
    doc.on('end', () => resolve());
    doc.on('error', reject);
  });
  const pages = sheetPages(cards.length);
  for (let page = 1; page <= pages; page++) {
    doc.addPage();
    doc.font('Helvetica-Bold').fontSize(10).fillColor('black');
    doc.text(`Tessera vouchers - batch ${batch.batchId} - page ${page} of ${pages} - CONFIDENTIAL: this sheet holds the PINs`, MARGIN, MARGIN, { width: PAGE.width - 2 * MARGIN, lineBreak: false });
    const perPage = VOUCHER_PRINT_LIMITS.columnsCount * VOUCHER_PRINT_LIMITS.rowsCount;
    for (let i = (page - 1) * perPage; i < Math.min(cards.length, page * perPage); i++) {
      const slot = cardSlot(i);
      const card = cards[i];
      const image = images[i];
      if (slot.page === page && card !== undefined && image !== undefined) drawCard(doc, card, image, slot.box);
    }
  }
  doc.end();
  await ended;
  return Buffer.concat(chunks);
}

export interface Box {
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
}

/** One card: frame, serial line, barcode, value, scratch-off PIN panel. Text is drawn in this order (pdftotext -raw reads it so). */
function drawCard(doc: PDFKit.PDFDocument, card: PrintableCard, barcode: Buffer, b: Box): void {
  doc.lineWidth(0.5).strokeColor('#888888').roundedRect(b.x, b.y, b.w, b.h, 6).stroke();
  const inner = b.w - 2 * PAD;
  doc.font('Helvetica').fontSize(8).fillColor('black');
  doc.text(`Serial ${card.serial}`, b.x + PAD, b.y + PAD, { width: inner, lineBreak: false });
  const barH = b.h * 0.42;
  doc.image(barcode, b.x + PAD, b.y + PAD + 12, { fit: [inner * 0.62, barH], valign: 'center' });
  doc.font('Helvetica-Bold').fontSize(card.denomination !== null ? 16 : 9);
  doc.text(valueLine(card), b.x + PAD + inner * 0.64, b.y + PAD + 12 + barH / 2 - 8, { width: inner * 0.36, align: 'right' });
  // The scratch-off panel: the printer lays the silver layer over this box.
  const panelY = b.y + PAD + 12 + barH + 8;
  const panelH = b.h - (panelY - b.y) - PAD;
  doc.save().roundedRect(b.x + PAD, panelY, inner, panelH, 4).fill('#d9d9d9').restore();
  doc.font('Helvetica').fontSize(7).fillColor('#444444');
  doc.text('SCRATCH OFF - PIN', b.x + PAD + 6, panelY + 4, { width: inner - 12, lineBreak: false });
  doc.font('Courier-Bold').fontSize(15).fillColor('black');
  doc.text(`PIN ${groupPin(card.pin)}`, b.x + PAD + 6, panelY + panelH / 2 - 3, { width: inner - 12, align: 'center', lineBreak: false });
}

/** Pages a sheet of `cards` cards has. */
export function sheetPages(cards: number): number {
  return Math.max(1, Math.ceil(cards / (VOUCHER_PRINT_LIMITS.columnsCount * VOUCHER_PRINT_LIMITS.rowsCount)));
}

/**
 * Where card `index` (0-based, in the order printed) lies: its page (1-based,
 * as pdftoppm counts) and its box in points from the page's top-left corner.
 * The simulated scanner crops this box to read one card, as a clerk holds
 * one card under the scanner.
 */
export function cardSlot(index: number): { readonly page: number; readonly box: Box } {
  assert(Number.isSafeInteger(index) && index >= 0, 'a card index is a non-negative integer');
  const { columnsCount: cols, rowsCount: rows } = VOUCHER_PRINT_LIMITS;
  const perPage = cols * rows;
  const slot = index % perPage;
  const x = MARGIN + (slot % cols) * (CARD.w + GAP);
  const y = MARGIN + HEADER + Math.floor(slot / cols) * (CARD.h + GAP);
  return { page: Math.floor(index / perPage) + 1, box: { x, y, w: CARD.w, h: CARD.h } };
}

/** A4 in points, for a renderer's scale (pixels = points x dpi / 72). */
export const SHEET_PAGE_PT = PAGE;
