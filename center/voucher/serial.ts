/**
 * Card serials: 15 digits of body and a Luhn check digit (ISO/IEC 7812-1,
 * the payment-card check digit): 16 digits in all, printed as the barcode
 * (Code 128) and under it. The body is the issuer prefix `9` (no card
 * network uses it for payment cards) and a 14-digit sequence number taken
 * from the center's counter, so the serials of a batch are consecutive and
 * a range `fromSerial..toSerial` is a range of sequence numbers. The check
 * digit catches every single-digit error and most transpositions of a
 * keyed or misread serial before the center is asked.
 */
import { TesseraError } from '../../core/errors.js';

export const SERIAL_PREFIX = '9';
const SEQ_DIGITS = 14;
export const SEQ_MAX = 10 ** SEQ_DIGITS - 1;

/** The Luhn check digit of a string of digits (the digit to append). */
export function luhnDigit(body: string): string {
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    let d = body.charCodeAt(body.length - 1 - i) - 48;
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return String((10 - (sum % 10)) % 10);
}

/** Whether `s` is 16 digits whose last is the Luhn check digit of the first 15. */
export function isSerial(s: string): boolean {
  return /^[0-9]{16}$/.test(s) && s.startsWith(SERIAL_PREFIX) && luhnDigit(s.slice(0, 15)) === s[15];
}

/** The serial of sequence number `seq` (1..SEQ_MAX). */
export function serialOf(seq: number): string {
  if (!Number.isSafeInteger(seq) || seq < 1 || seq > SEQ_MAX) throw new TesseraError('VOUCHER_INVALID_INPUT', 'serial sequence out of range', { field: 'seq' });
  const body = SERIAL_PREFIX + String(seq).padStart(SEQ_DIGITS, '0');
  return body + luhnDigit(body);
}

/** The sequence number of a valid serial. */
export function seqOf(serial: string): number {
  return Number(serial.slice(1, 15));
}

/** VOUCHER_SERIAL_INVALID unless `s` is a serial. */
export function checkSerial(s: unknown, field = 'serial'): string {
  if (typeof s !== 'string' || !isSerial(s)) throw new TesseraError('VOUCHER_SERIAL_INVALID', 'a serial is 16 digits starting with 9 with a Luhn check digit', { field });
  return s;
}
