import type { Symbology } from '../barcode-scanner.js';
import { gs1CheckDigitOk } from './gs1.js';

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

/** AIM identifiers whose data is a GS1 element string, FNC1 sent as GS (0x1D). */
const GS1_AIMS: ReadonlySet<string> = new Set([']C1', ']d2', ']Q3', ']e0']);

export function isGs1(symbology: Symbology | null): boolean {
  return symbology !== null && GS1_AIMS.has(symbology.aim);
}

/** EAN/UPC data lengths per AIM identifier: digits, the check digit in the first `checked` of them. */
const EAN: Readonly<Record<string, { readonly lengths: readonly number[]; readonly checked: number | null }>> = {
  ']E0': { lengths: [12, 13], checked: null }, // EAN-13, or UPC-A as 12 digits
  ']E3': { lengths: [15, 18], checked: 13 }, // EAN-13 with a 2- or 5-digit add-on
  ']E4': { lengths: [8], checked: null }, // EAN-8
};

/**
 * EAN/UPC data must be digits of the symbology's length with a right mod-10
 * check digit; null when it is (or when the symbology is not EAN/UPC).
 */
export function eanProblem(symbology: Symbology | null, data: string): { code: 'DEV_SCAN_CHECK_DIGIT' | 'DEV_SCAN_GARBAGE'; reason: string } | null {
  const rule = symbology ? EAN[symbology.aim] : undefined;
  if (!rule) return null;
  if (!/^[0-9]+$/.test(data) || !rule.lengths.includes(data.length)) return { code: 'DEV_SCAN_GARBAGE', reason: `EAN/UPC data must be ${rule.lengths.join(' or ')} digits` };
  const checked = rule.checked === null ? data : data.slice(0, rule.checked);
  return gs1CheckDigitOk(checked) ? null : { code: 'DEV_SCAN_CHECK_DIGIT', reason: 'wrong EAN/UPC check digit' };
}
