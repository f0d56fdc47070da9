import { describe, expect, it } from 'vitest';
import { withLuhn } from '../../../core/luhn.js';
import { serialOf } from '../../../center/voucher/serial.js';
import type { Scan } from '../../../terminal/devices/barcode-scanner.js';
import { serialOfScan } from '../../../terminal/agent/roles/voucher/scan.js';
import { parseVoucherPosSettings } from '../../../terminal/agent/roles/voucher/settings.js';

const scan = (data: string, aim: string | null, gs1?: Scan['gs1']): Scan => ({ data, symbology: aim === null ? null : { aim, name: 'x' }, ...(gs1 && { gs1 }), atMs: 0 });
const codeOf = (f: () => unknown): string => {
  try {
    f();
    return 'ok';
  } catch (e) {
    return `${(e as { code: string }).code}/${String((e as { details?: { reason?: string } }).details?.reason)}`;
  }
};

describe('voucher POS: the serial from a scan (roles/voucher/scan.ts)', () => {
  const serial = serialOf(42);
  it("reads Code 128 (]C0), GS1-128 (]C1, AI 21) and a scanner without an AIM prefix; the till's Luhn is the center's", () => {
    expect(serialOfScan(scan(serial, ']C0'))).toBe(serial);
    expect(serialOfScan(scan(serial, null))).toBe(serial);
    expect(serialOfScan(scan(`0104912345678904${'21'}${serial}`, ']C1', [{ ai: '01', value: '04912345678904' }, { ai: '21', value: serial }]))).toBe(serial);
    for (let n = 1; n < 200; n += 7) expect(withLuhn(serialOf(n).slice(0, 15))).toBe(serialOf(n));
  });

  it('refuses, coded and before anything is sent: a wrong check digit, a wrong length, another symbology, a GS1 code without AI 21', () => {
    const misread = serial.slice(0, 15) + String((Number(serial[15]) + 1) % 10);
    expect(codeOf(() => serialOfScan(scan(misread, ']C0')))).toBe('TERM_VOUCHER_SCAN_INVALID/check-digit');
    expect(codeOf(() => serialOfScan(scan(serial.slice(1), ']C0')))).toBe('TERM_VOUCHER_SCAN_INVALID/length');
    expect(codeOf(() => serialOfScan(scan('4901234567894', ']E0')))).toBe('TERM_VOUCHER_SCAN_INVALID/symbology');
    expect(codeOf(() => serialOfScan(scan('0104912345678904', ']C1', [{ ai: '01', value: '04912345678904' }])))).toBe('TERM_VOUCHER_SCAN_INVALID/no-serial');
  });

  it('validates its settings at role creation: TERM_CONFIG_INVALID names the field', () => {
    expect(parseVoucherPosSettings({}).answerTimeoutMs).toBe(8_000);
    expect(codeOf(() => parseVoucherPosSettings({ products: [{ serialPrefix: 'x', amountMinor: 1 }] }))).toBe('TERM_CONFIG_INVALID/undefined');
    expect(codeOf(() => parseVoucherPosSettings({ keyedAmountMinorMin: 5000, keyedAmountMinorMax: 100 }))).toBe('TERM_CONFIG_INVALID/undefined');
  });
});
