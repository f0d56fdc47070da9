/**
 * Two base32 alphabets: RFC 4648 (A-Z 2-7, no padding) for QR payloads (QR
 * alphanumeric mode holds it at 5.5 bits a character, and a serial scanner
 * types it without case trouble), and Crockford's (0-9 A-Z without I L O U)
 * for the codes people read and type.
 */
import './errors.js'; // the PWTOKEN_ registry: its codes carry their HTTP status wherever they are thrown
import { TesseraError } from '../../core/errors.js';

export const RFC4648 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
export const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

export function base32Encode(bytes: Uint8Array, alphabet: string = RFC4648): string {
  let out = '';
  let acc = 0;
  let bits = 0;
  for (const b of bytes) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(acc >>> (bits - 5)) & 31];
      bits -= 5;
    }
    acc &= (1 << bits) - 1;
  }
  if (bits > 0) out += alphabet[(acc << (5 - bits)) & 31];
  return out;
}

/** Strict: only the alphabet's characters, and the unused tail bits zero (one text per byte string). */
export function base32Decode(text: string, alphabet: string = RFC4648): Buffer {
  const out: number[] = [];
  let acc = 0;
  let bits = 0;
  for (const ch of text) {
    const v = alphabet.indexOf(ch);
    if (v < 0) throw new TesseraError('PWTOKEN_MALFORMED', 'a character outside the base32 alphabet', { at: out.length });
    acc = (acc << 5) | v;
    bits += 5;
    if (bits >= 8) {
      out.push((acc >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
    acc &= (1 << bits) - 1;
  }
  if (bits >= 5 || acc !== 0) throw new TesseraError('PWTOKEN_MALFORMED', 'base32 text has a non-canonical tail');
  return Buffer.from(out);
}
