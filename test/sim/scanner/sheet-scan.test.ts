/**
 * The simulated scanner reads a card off the printed sheet (pdftoppm crop of
 * the card's box, zbarimg) and types it over its socat pty as the real one
 * does; the terminal's serial driver receives the card's serial with the
 * Code 128 AIM identifier `]C0`, never a PIN.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { renderSheet } from '../../../center/voucher/print/sheet.js';
import { scanCardFromSheet } from '../../../sim/scanner/sheet-reader.js';
import type { Scan } from '../../../terminal/devices/barcode-scanner.js';
import { SerialBarcodeScanner } from '../../../terminal/devices/serial/serial-barcode-scanner.js';
import { startTestScanner } from '../../support/pty.js';
import { fakePrintRun } from '../../support/voucher-cards.js';

const dir = mkdtempSync(join(tmpdir(), 'tessera-sheet-scan-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('scanner reads the printed sheet', () => {
  it('sends card 11 of the sheet as ]C0 + its serial over the pty', async () => {
    const run = fakePrintRun(12, { denomination: 3_000 });
    const pdf = join(dir, 'sheet.pdf');
    writeFileSync(pdf, await renderSheet(run.batch, run.cards, { createdAtMs: 0 }));
    const { scanner, stop } = await startTestScanner();
    const driver = new SerialBarcodeScanner({ path: scanner.devicePath, baudRate: 9600 });
    try {
      await driver.open();
      const got = new Promise<Scan>((resolve) => driver.once('scan', (s) => resolve(s as Scan)));
      const read = await scanCardFromSheet(scanner, pdf, 11);
      const scan = await got;
      expect(read.data).toBe(run.cards[11]!.serial);
      expect(scan.data).toBe(run.cards[11]!.serial);
      expect(scan.symbology?.aim).toBe(']C0');
      expect(scan.data).not.toContain(run.cards[11]!.pin);
    } finally {
      await driver.close();
      await stop();
    }
  });
});
