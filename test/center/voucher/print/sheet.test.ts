/**
 * The printed sheet (center/voucher/print/sheet.ts) read back with the tools
 * a test has instead of eyes: pdftoppm + zbarimg for the barcodes, pdftotext
 * for the panels. A sheet of N cards decodes to exactly its serials, each
 * card's box to its own serial, and no barcode anywhere carries a PIN.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { groupPin, renderSheet, sheetPages, valueLine } from '../../../../center/voucher/print/sheet.js';
import { decodeSheet, readCard } from '../../../../sim/scanner/sheet-reader.js';
import { fakePrintRun } from '../../../support/voucher-cards.js';
import { readSheetPins } from '../../../support/voucher-sheet.js';

const dir = mkdtempSync(join(tmpdir(), 'tessera-sheet-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('voucher sheet', () => {
  it('a sheet of 13 cards (two pages) decodes to exactly its serials, card by card, and no barcode carries a PIN', async () => {
    const { batch, cards } = fakePrintRun(13);
    const pdf = join(dir, 'thirteen.pdf');
    writeFileSync(pdf, await renderSheet(batch, cards, { createdAtMs: 0 }));
    expect(sheetPages(13)).toBe(2);

    const symbols = await decodeSheet(pdf);
    expect(symbols.every((s) => s.symbology === 'CODE-128')).toBe(true);
    expect(symbols.map((s) => s.data).sort()).toEqual(cards.map((c) => c.serial).sort());
    expect(symbols.filter((s) => s.page === 2).map((s) => s.data).sort()).toEqual(cards.slice(10).map((c) => c.serial).sort());
    // Decode everything, compare with every PIN: each barcode is a serial exactly (no more digits), none holds a PIN.
    expect(symbols.every((s) => s.data.length === cards[0]!.serial.length)).toBe(true);
    for (const s of symbols) for (const c of cards) expect(s.data).not.toContain(c.pin);
    // One card under the scanner: its box holds its own serial and nothing else.
    for (const i of [0, 5, 9, 10, 12]) expect((await readCard(pdf, i)).data).toBe(cards[i]!.serial);

    // The panels, read as a buyer reads them.
    const text = readSheetPins(pdf);
    expect(text.map((t) => ({ serial: t.serial, pin: t.pin }))).toEqual(cards.map((c) => ({ serial: c.serial, pin: c.pin })));
    expect(text.every((t) => /^\d{4} \d{4} \d{4} \d{4}$/.test(t.printedPin))).toBe(true);
  });

  it('prints the face value, or the load limit of a variable-load card', () => {
    expect(valueLine({ denomination: 1_000, maxLoad: null, currency: 'JPY' })).toBe('1,000 JPY');
    expect(valueLine({ denomination: null, maxLoad: 5_000, currency: 'JPY' })).toBe('loaded at the till, up to 5,000 JPY');
    expect(valueLine({ denomination: 2_500, maxLoad: null, currency: 'EUR' })).toBe('25.00 EUR');
    expect(groupPin('0123456789012345')).toBe('0123 4567 8901 2345');
  });
});
