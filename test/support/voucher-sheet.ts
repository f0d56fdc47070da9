/**
 * Reads a printed voucher sheet (`tessera voucher print`) the way a buyer
 * does: the text under the scratch-off panel, with `pdftotext` (Debian
 * poppler-utils). The sheet draws each card's "Serial ..." line before its
 * "PIN ..." line, and `pdftotext -raw` keeps the drawing order, so each PIN
 * is paired with the serial printed on its card.
 */
import { execFileSync } from 'node:child_process';

export interface SheetCardText {
  readonly serial: string;
  /** The PIN's digits (the panel groups them 4-4-4-4). */
  readonly pin: string;
  /** As printed on the panel. */
  readonly printedPin: string;
}

export function readSheetPins(pdf: string): SheetCardText[] {
  const text = execFileSync('pdftotext', ['-raw', pdf, '-'], { encoding: 'utf8', timeout: 30_000, maxBuffer: 64 * 1024 * 1024 });
  const out: SheetCardText[] = [];
  let serial: string | null = null;
  for (const line of text.split('\n')) {
    const s = /^Serial ([0-9]+)$/.exec(line.trim());
    if (s) {
      if (serial !== null) throw new Error(`serial ${serial} has no PIN line on the sheet`);
      serial = s[1]!;
      continue;
    }
    const p = /^PIN ([0-9 ]+)$/.exec(line.trim());
    if (p) {
      if (serial === null) throw new Error('a PIN line with no serial before it');
      out.push({ serial, pin: p[1]!.replace(/ /g, ''), printedPin: p[1]! });
      serial = null;
    }
  }
  if (serial !== null) throw new Error(`serial ${serial} has no PIN line on the sheet`);
  return out;
}
