import type { Symbology } from '../barcode-scanner.js';

/**
 * AIM symbology identifiers (ISO/IEC 15424): `]` + code character + modifier.
 * Names for the code characters a kiosk meets; others parse as `unknown`.
 */
const NAMES: Readonly<Record<string, string>> = {
  A: 'Code 39',
  C: 'Code 128',
  E: 'EAN/UPC',
  F: 'Codabar',
  G: 'Code 93',
  I: 'Interleaved 2 of 5',
  L: 'PDF417',
  Q: 'QR Code',
  d: 'Data Matrix',
  e: 'GS1 DataBar',
  z: 'Aztec',
};

/** Names that depend on the modifier too. */
const EXACT: Readonly<Record<string, string>> = {
  ']C1': 'GS1-128',
  ']E0': 'EAN-13',
  ']E4': 'EAN-8',
  ']d2': 'GS1 DataMatrix',
  ']Q3': 'GS1 QR Code',
};

const AIM_PATTERN = /^\][A-Za-z][0-9A-Za-z]/;

export interface ParsedScan {
  readonly data: string;
  readonly symbology: Symbology | null;
}

/** Splits an AIM prefix off a scanned line; a line without one keeps its data whole. */
export function parseAim(line: string): ParsedScan {
  if (!AIM_PATTERN.test(line)) return { data: line, symbology: null };
  const aim = line.slice(0, 3);
  const name = EXACT[aim] ?? NAMES[aim.charAt(1)] ?? 'unknown';
  return { data: line.slice(3), symbology: { aim, name } };
}
