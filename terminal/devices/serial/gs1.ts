/**
 * GS1 element strings (GS1 General Specifications §3, §7.8): the data of a
 * GS1-128, GS1 DataMatrix, GS1 QR Code or GS1 DataBar symbol is a run of
 * Application Identifier + value pairs. A fixed-length value needs no
 * separator; a variable-length value ends at FNC1, which a scanner
 * transmits as GS (0x1D), or at the end of the data.
 *
 * Only the AIs a till, kiosk or vending machine meets are known; any other
 * AI is DEV_SCAN_GS1_UNKNOWN_AI (its length is unknown, so nothing after it
 * can be read). Check digits of GTIN, SSCC and GLN are verified.
 */

/** One AI and its value, e.g. { ai: '01', value: '04912345678904' }. */
export interface Gs1Element {
  readonly ai: string;
  readonly value: string;
}

export type Gs1Result =
  | { readonly ok: true; readonly elements: readonly Gs1Element[] }
  | {
      readonly ok: false;
      readonly code: 'DEV_SCAN_GS1_UNKNOWN_AI' | 'DEV_SCAN_GS1_INVALID' | 'DEV_SCAN_CHECK_DIGIT';
      /** The AI concerned (digits only), when one was read. */
      readonly ai?: string;
      readonly reason: string;
    };

/** FNC1 as scanners transmit it. */
export const GS = '\u001d';

type Kind = 'N' | 'X';
interface AiSpec {
  readonly kind: Kind;
  /** Fixed length, or the maximum of a variable-length value. */
  readonly length: number;
  readonly fixed: boolean;
  /** A mod-10 check digit ends the value (GTIN, SSCC, GLN). */
  readonly check?: true;
  /** YYMMDD (day 00 = end of month). */
  readonly date?: true;
}

const fixedN = (length: number, extra: Partial<AiSpec> = {}): AiSpec => ({ kind: 'N', length, fixed: true, ...extra });
const varN = (length: number): AiSpec => ({ kind: 'N', length, fixed: false });
const varX = (length: number): AiSpec => ({ kind: 'X', length, fixed: false });

/** Two- and three-digit AIs. */
const AIS: Readonly<Record<string, AiSpec>> = {
  '00': fixedN(18, { check: true }), // SSCC
  '01': fixedN(14, { check: true }), // GTIN
  '02': fixedN(14, { check: true }), // GTIN of contained trade items
  '10': varX(20), // batch or lot
  '11': fixedN(6, { date: true }), // production date
  '12': fixedN(6, { date: true }), // due date
  '13': fixedN(6, { date: true }), // packaging date
  '15': fixedN(6, { date: true }), // best before
  '16': fixedN(6, { date: true }), // sell by
  '17': fixedN(6, { date: true }), // expiration date
  '20': fixedN(2), // variant
  '21': varX(20), // serial number
  '22': varX(20), // consumer product variant
  '30': varN(8), // variable count
  '37': varN(8), // count of trade items
  '90': varX(30), // mutually agreed
  '240': varX(30), // additional product identification
  '241': varX(30), // customer part number
  '250': varX(30), // secondary serial number
  '400': varX(30), // customer's purchase order
  '410': fixedN(13, { check: true }), // ship to GLN
  '414': fixedN(13, { check: true }), // GLN of a physical location
  '420': varX(20), // ship-to postal code
  '422': fixedN(3), // country of origin
};

/**
 * Four-digit AIs by their first three digits (the fourth is a decimal-point
 * position): trade and logistic measures 310x-369x (N6), amounts payable.
 */
const AIS4: Readonly<Record<string, AiSpec>> = {
  ...Object.fromEntries(Array.from({ length: 369 - 310 + 1 }, (_, i) => [String(310 + i), fixedN(6)])),
  '390': varN(15), // amount payable, one currency
  '392': varN(15), // amount payable, one monetary area (variable-measure item)
};

/** Four-digit AIs taken whole. */
const AIS_EXACT4: Readonly<Record<string, AiSpec>> = {
  '8005': fixedN(6), // price per unit of measure
  '8020': varX(25), // payment slip reference number
};

const DIGITS = /^[0-9]*$/;
// GS1 AI encodable character set 82 (General Specifications Figure 7.11-1).
const CSET82 = /^[!"%&'()*+,\-./0-9:;<=>?A-Z_a-z]*$/;

function lookup(data: string, at: number): { ai: string; spec: AiSpec } | null {
  const four = data.slice(at, at + 4);
  if (four.length === 4 && AIS_EXACT4[four]) return { ai: four, spec: AIS_EXACT4[four] };
  const three = data.slice(at, at + 3);
  if (four.length === 4 && AIS4[three]) return { ai: four, spec: AIS4[three] };
  if (AIS[three]) return { ai: three, spec: AIS[three] };
  const two = data.slice(at, at + 2);
  if (AIS[two]) return { ai: two, spec: AIS[two] };
  return null;
}

/** Mod-10 check digit (GS1 General Specifications §7.9): weights 3,1,3,… from the right, before the check digit. */
export function gs1CheckDigitOk(digits: string): boolean {
  if (digits.length < 2 || !DIGITS.test(digits)) return false;
  let sum = 0;
  for (let i = digits.length - 2, w = 3; i >= 0; i--, w = 4 - w) sum += Number(digits[i]) * w;
  return (10 - (sum % 10)) % 10 === Number(digits[digits.length - 1]);
}

function dateOk(v: string): boolean {
  const month = Number(v.slice(2, 4));
  const day = Number(v.slice(4, 6));
  return month >= 1 && month <= 12 && day <= 31;
}

function checkValue(ai: string, spec: AiSpec, value: string): Gs1Result | null {
  const bad = (reason: string): Gs1Result => ({ ok: false, code: 'DEV_SCAN_GS1_INVALID', ai, reason });
  if (value.length === 0) return bad('empty value');
  if (spec.fixed && value.length !== spec.length) return bad(`value must be ${spec.length} characters`);
  if (!spec.fixed && value.length > spec.length) return bad(`value longer than ${spec.length} characters`);
  if (spec.kind === 'N' && !DIGITS.test(value)) return bad('value must be digits');
  if (spec.kind === 'X' && !CSET82.test(value)) return bad('character outside the GS1 set');
  if (spec.date && !dateOk(value)) return bad('not a YYMMDD date');
  if (spec.check && !gs1CheckDigitOk(value)) return { ok: false, code: 'DEV_SCAN_CHECK_DIGIT', ai, reason: 'wrong check digit' };
  return null;
}

/**
 * Parses a GS1 element string (AIM prefix removed; FNC1 as GS). A leading GS
 * (some scanners send the symbol's first FNC1) and a GS after a fixed-length
 * value are accepted; an empty string or two GS in a row are not.
 */
export function parseGs1(data: string): Gs1Result {
  const elements: Gs1Element[] = [];
  let at = data.startsWith(GS) ? 1 : 0;
  if (at >= data.length) return { ok: false, code: 'DEV_SCAN_GS1_INVALID', reason: 'no element string' };
  while (at < data.length) {
    const found = lookup(data, at);
    if (!found) {
      // The digits where an AI was expected (up to 4: AIs are 2-4 digits long).
      const ai = /^[0-9]{1,4}/.exec(data.slice(at))?.[0] ?? '';
      return { ok: false, code: 'DEV_SCAN_GS1_UNKNOWN_AI', ...(ai.length > 0 && { ai }), reason: 'application identifier not known here' };
    }
    const { ai, spec } = found;
    const start = at + ai.length;
    let end: number;
    if (spec.fixed) {
      end = start + spec.length;
    } else {
      const gs = data.indexOf(GS, start);
      end = gs < 0 ? data.length : gs;
    }
    const value = data.slice(start, Math.min(end, data.length));
    const wrong = checkValue(ai, spec, value);
    if (wrong) return wrong;
    elements.push({ ai, value });
    at = end;
    if (data[at] === GS) {
      at += 1;
      if (at >= data.length) return { ok: false, code: 'DEV_SCAN_GS1_INVALID', ai, reason: 'separator at the end' };
      if (data[at] === GS) return { ok: false, code: 'DEV_SCAN_GS1_INVALID', ai, reason: 'two separators in a row' };
    }
  }
  return { ok: true, elements };
}
