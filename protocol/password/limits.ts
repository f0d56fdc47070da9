/**
 * Sizes and windows of the settlement-password formats (seed 003,
 * docs/PASSWORDS.md): the signed terms, the QR payload and the device's
 * presentation. The center's own limits (lockout, reservation deadlines,
 * lifetimes) are in center/passwords/limits.ts.
 */
import { assert } from '../../core/assert.js';

export const PASSWORD_TOKEN_LIMITS = {
  /** Characters of a password code (Crockford base32, 5 bits each: 80 bits). */
  codeChars: 16,
  /** Random bytes behind a code (codeChars * 5 / 8). */
  codeBytes: 10,
  /** Digits of a keypad code (display-only devices; about 53 bits). */
  keypadDigits: 16,
  /** Bytes of a password serial. */
  serialBytes: 16,
  /** Bytes of the code digest in the terms (SHA-256 truncated). */
  codeDigestBytes: 16,
  /** Bytes of the key id (SHA-256 of the raw public key, truncated). */
  keyIdBytes: 4,
  /** Characters of the issuer (credit company) id, [A-Z0-9-]. */
  issuerCharsMax: 16,
  /** Characters of a payee (shop id or category), [A-Z0-9-]. */
  payeeCharsMax: 16,
  /** Characters of the user restriction (printable ASCII). */
  userCharsMax: 64,
  /** Goods category codes in the terms. */
  goodsCodesMax: 16,
  /** Characters of one goods category code, [A-Z0-9]. */
  goodsCodeCharsMax: 8,
  /** Largest encoded terms (fixed part 69 + issuer 17 + payee 18 + user 65 + goods 1+16*9 + device key 32 = 346). */
  termsBytesMax: 346,
  /** Largest QR payload body before base32 (kind 1 + terms length 2 + terms + signature 64 + presentation 8+4+1+16+8+64; a bearer body's code 1+16 is smaller). */
  qrBodyBytesMax: 514,
  /** A device presentation is fresh this long after its time (the shop's and the TTP's clocks). */
  presentationFreshMs: 120_000,
  /** ... and this far ahead of the verifier's clock (clock skew of the phone). */
  presentationSkewMs: 30_000,
} as const;

const L = PASSWORD_TOKEN_LIMITS;
assert(L.codeBytes * 8 === L.codeChars * 5, 'a code is exactly codeBytes of randomness');
assert(L.termsBytesMax === 69 + 1 + L.issuerCharsMax + 2 + L.payeeCharsMax + 1 + L.userCharsMax + 1 + L.goodsCodesMax * (1 + L.goodsCodeCharsMax) + 32, 'termsBytesMax is the sum of the largest fields');
assert(L.qrBodyBytesMax === 1 + 2 + L.termsBytesMax + 64 + 8 + 4 + 1 + L.payeeCharsMax + 8 + 64, 'qrBodyBytesMax is the sum of the largest fields');
assert(1 + L.codeChars < 8 + 4 + 1 + 8 + 64, 'a bearer body is smaller than a device body');
assert(L.presentationSkewMs < L.presentationFreshMs, 'skew below the freshness window');
