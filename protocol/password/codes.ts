/**
 * The secret a password is spent with, in two forms (docs/PASSWORDS.md,
 * "The code"): a 16-character Crockford base32 code (80 random bits) for
 * devices that show a QR or let the user copy text, and a 16-digit keypad
 * code (log2(10^16) = 53.1 bits) for display-only devices, which the center
 * gives lower limits. Neither is ever stored in clear: the terms carry
 * {@link codeDigest}, the center a keyed lookup hash.
 */
import { createHash } from 'node:crypto';
import { TesseraError } from '../../core/errors.js';
import type { Random } from '../../core/random.js';
import { base32Encode, CROCKFORD } from './base32.js';
import { PASSWORD_TOKEN_LIMITS as L } from './limits.js';

/**
 * A new code: codeBytes random bytes as codeChars Crockford characters. A
 * draw of digits only (p = (10/32)^16, about 8e-9) is drawn again, so a code
 * never reads as a keypad code.
 */
export function newCode(random: Random): string {
  for (;;) {
    const c = base32Encode(random.bytes(L.codeBytes), CROCKFORD);
    if (/[A-Z]/.test(c)) return c;
  }
}

/** A new keypad code: keypadDigits decimal digits, each uniform (random.int is unbiased). */
export function newKeypadCode(random: Random): string {
  let s = '';
  for (let i = 0; i < L.keypadDigits; i++) s += String(random.int(10));
  return s;
}

/**
 * A code as typed or scanned, canonical: separators (space, '-') dropped,
 * upper case, Crockford's look-alikes read as digits (O→0, I and L→1).
 * A keypad code stays digits. Anything else is PWTOKEN_MALFORMED.
 */
export function normalizeCode(input: string): string {
  const s = input.replace(/[\s-]/g, '').toUpperCase().replace(/O/g, '0').replace(/[IL]/g, '1');
  if (/^[0-9]+$/.test(s) && s.length === L.keypadDigits) return s;
  if (s.length === L.codeChars && [...s].every((c) => CROCKFORD.includes(c))) return s;
  throw new TesseraError('PWTOKEN_MALFORMED', `a password code is ${L.codeChars} base32 characters or ${L.keypadDigits} digits`, { length: s.length });
}

/** The code for display: groups of four joined by '-'. */
export function formatCode(code: string): string {
  return code.match(/.{1,4}/g)!.join('-');
}

/** The digest the signed terms carry: SHA-256("tessera-password-code:" ‖ code)[0..16]. */
export function codeDigest(code: string): Buffer {
  return createHash('sha256').update('tessera-password-code:').update(code, 'ascii').digest().subarray(0, L.codeDigestBytes);
}
