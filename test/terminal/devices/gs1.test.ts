import { describe, expect, it } from 'vitest';
import { eanProblem, isGs1, parseAim } from '../../../terminal/devices/serial/aim.js';
import { GS, gs1CheckDigitOk, parseGs1 } from '../../../terminal/devices/serial/gs1.js';

describe('GS1 element strings', () => {
  it('reads fixed-length AIs back to back and variable ones up to GS or the end', () => {
    // 01 GTIN-14 | 17 expiry YYMMDD | 10 lot (variable, GS-ended) | 21 serial (variable, to the end)
    expect(parseGs1(`01049123456789041726123110ABC-123${GS}21SN0042`)).toEqual({
      ok: true,
      elements: [
        { ai: '01', value: '04912345678904' },
        { ai: '17', value: '261231' },
        { ai: '10', value: 'ABC-123' },
        { ai: '21', value: 'SN0042' },
      ],
    });
  });

  it('reads four-digit AIs (310x net weight, 392x amount, 8020), SSCC, counts; accepts a leading FNC1 and a GS after a fixed value', () => {
    expect(parseGs1(`${GS}00106141411234567897${GS}3103001250392001995${GS}37${'12'}${GS}8020INV-77`)).toEqual({
      ok: true,
      elements: [
        { ai: '00', value: '106141411234567897' },
        { ai: '3103', value: '001250' },
        { ai: '3920', value: '01995' },
        { ai: '37', value: '12' },
        { ai: '8020', value: 'INV-77' },
      ],
    });
    expect(parseGs1('02049123456789043712').ok).toBe(true);
  });

  it.each([
    ['0104912345678905', 'DEV_SCAN_CHECK_DIGIT', '01'], // GTIN check digit wrong
    ['00106141411234567890', 'DEV_SCAN_CHECK_DIGIT', '00'], // SSCC check digit wrong
    ['99ANYTHING', 'DEV_SCAN_GS1_UNKNOWN_AI', '99'],
    ['010491234567890499X', 'DEV_SCAN_GS1_UNKNOWN_AI', '99'], // known AI, then an unknown one
    ['01049123456789', 'DEV_SCAN_GS1_INVALID', '01'], // GTIN cut short
    ['0104912345678904171313', 'DEV_SCAN_GS1_INVALID', '17'], // short date
    ['17261399', 'DEV_SCAN_GS1_INVALID', '17'], // month 13
    ['30ABC', 'DEV_SCAN_GS1_INVALID', '30'], // count not digits
    [`10${'L'.repeat(21)}`, 'DEV_SCAN_GS1_INVALID', '10'], // lot over 20
    [`10A${GS}${GS}21B`, 'DEV_SCAN_GS1_INVALID', '10'], // two separators in a row
    [`10A${GS}`, 'DEV_SCAN_GS1_INVALID', '10'],
    ['10A B', 'DEV_SCAN_GS1_INVALID', '10'], // space is outside the GS1 character set
    ['', 'DEV_SCAN_GS1_INVALID', undefined],
    [GS, 'DEV_SCAN_GS1_INVALID', undefined],
    ['ABC', 'DEV_SCAN_GS1_UNKNOWN_AI', undefined], // no digits where the AI should be
  ])('%j is %s (ai %s)', (data, code, ai) => {
    const r = parseGs1(data);
    expect(r).toMatchObject({ ok: false, code });
    expect(r.ok ? undefined : r.ai).toBe(ai);
  });

  it('computes the GS1 mod-10 check digit', () => {
    expect(['4901234567894', '0012345678905', '96385074', '04912345678904', '106141411234567897'].map(gs1CheckDigitOk)).toEqual([true, true, true, true, true]);
    expect(['4901234567890', '4900000000000', '96385075', '1', 'ABC'].map(gs1CheckDigitOk)).toEqual([false, false, false, false, false]);
  });
});

describe('EAN/UPC and GS1 symbologies by AIM identifier', () => {
  it('marks ]C1, ]d2, ]Q3, ]e0 as GS1 and nothing else', () => {
    expect([']C1', ']d2', ']Q3', ']e0', ']C0', ']Q1', ']E0'].map((aim) => isGs1(parseAim(`${aim}01`).symbology))).toEqual([true, true, true, true, false, false, false]);
    expect(isGs1(null)).toBe(false);
  });

  it.each([
    [']E04901234567894', null],
    [']E0012345678905', null], // UPC-A as 12 digits
    [']E496385074', null],
    [']E3490123456789412', null], // EAN-13 + 2-digit add-on
    [']E04901234567890', 'DEV_SCAN_CHECK_DIGIT'],
    [']E496385075', 'DEV_SCAN_CHECK_DIGIT'],
    [']E049012345678', 'DEV_SCAN_GARBAGE'], // 11 digits
    [']E04901234A67894', 'DEV_SCAN_GARBAGE'],
    [']C0anything', null],
    ['4901234567890', null], // no AIM prefix: nothing to check against
  ])('%s -> %s', (line, code) => {
    const { data, symbology } = parseAim(line);
    expect(eanProblem(symbology, data)?.code ?? null).toBe(code);
  });
});
