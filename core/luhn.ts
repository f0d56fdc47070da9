/**
 * The Luhn (mod 10) check digit, as on payment cards: voucher card serials
 * (seed 002) are 15 digits and this digit. Read at the till from the barcode
 * (a misread is refused there, before anything is sent) and checked again by
 * the HQ and the settlement center.
 */

/** The check digit for a string of digits (the payload, without its check digit). */
export function luhnCheckDigit(payload: string): number {
  let sum = 0;
  // From the right: every second digit of the payload (the first one left of the check digit) is doubled.
  for (let i = payload.length - 1, double = true; i >= 0; i--, double = !double) {
    let d = payload.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return (10 - (sum % 10)) % 10;
}

/** True when `digits` (payload and check digit) is all digits and its last digit is the Luhn check digit of the rest. */
export function luhnValid(digits: string): boolean {
  if (!/^[0-9]{2,}$/.test(digits)) return false;
  return luhnCheckDigit(digits.slice(0, -1)) === digits.charCodeAt(digits.length - 1) - 48;
}

/** Appends the check digit. */
export function withLuhn(payload: string): string {
  return payload + String(luhnCheckDigit(payload));
}
