/**
 * A voucher card's serial from a scan (seed 002): the barcode carries the
 * serial only, never the PIN. Accepted: Code 128 (AIM `]C0`: the data is the
 * 16 digits), GS1-128 (`]C1`: the serial in AI 21, 16 digits), or a scanner
 * sending no AIM prefix (16 digits). The 16th digit is the Luhn check digit
 * of the first 15: a misread is refused at the till, before anything is sent.
 */
import { luhnValid } from '../../../../core/luhn.js';
import type { Scan } from '../../../devices/barcode-scanner.js';
import { termError } from '../../errors.js';

const SERIAL_RE = /^[0-9]{16}$/;

export function serialOfScan(scan: Scan): string {
  const aim = scan.symbology?.aim ?? null;
  let digits: string;
  if (aim === null || aim === ']C0') digits = scan.data;
  else if (aim === ']C1') {
    const el = scan.gs1?.find((e) => e.ai === '21');
    if (!el) throw termError('TERM_VOUCHER_SCAN_INVALID', 'a GS1-128 code without a serial (AI 21)', { reason: 'no-serial', symbology: aim });
    digits = el.value;
  } else {
    throw termError('TERM_VOUCHER_SCAN_INVALID', 'not a voucher card barcode (Code 128 or GS1-128)', { reason: 'symbology', symbology: aim });
  }
  // The content is never echoed: only its length.
  if (!SERIAL_RE.test(digits)) throw termError('TERM_VOUCHER_SCAN_INVALID', 'a voucher serial is 16 digits', { reason: 'length', length: digits.length, ...(aim && { symbology: aim }) });
  if (!luhnValid(digits)) throw termError('TERM_VOUCHER_SCAN_INVALID', 'the serial\'s check digit is wrong (misread)', { reason: 'check-digit', ...(aim && { symbology: aim }) });
  return digits;
}
