import { defineErrors } from '../../core/errors.js';

/**
 * The settlement-password formats (seed 003): signed terms, QR payloads and
 * device presentations, as checked offline by a shop or a terminal and
 * online by the TTP (protocol/password/, docs/PASSWORDS.md). Spending
 * refusals are the center's (PASSWORD_, center/passwords/errors.ts).
 */
export const PWTOKEN_ERRORS = defineErrors('password-token', 'PWTOKEN_', {
  PWTOKEN_MALFORMED: {
    meaning: 'A password token, QR payload or presentation is not in the documented format (bad prefix, base32, length, field or trailing bytes).',
    action: 'Scan or type it again; if it persists, the phone app or the issuer produced a bad token (docs/PASSWORDS.md, the format).',
    http: 400,
  },
  PWTOKEN_BAD_SIGNATURE: {
    meaning: 'The TTP\'s signature over the password terms does not verify: a term was changed or the token is forged.',
    action: 'Refuse the password; report the token to the TTP.',
    http: 422,
  },
  PWTOKEN_UNKNOWN_KEY: {
    meaning: 'The terms name a TTP key id the verifier does not hold.',
    action: 'Update the TTP public keys the shop or terminal trusts (a rotation), or refuse the password.',
    http: 422,
  },
  PWTOKEN_CODE_MISMATCH: {
    meaning: 'The code presented does not match the digest in the signed terms.',
    action: 'Ask the customer to present the password again; a typed code may be mistyped.',
    http: 422,
  },
  PWTOKEN_BAD_DEVICE_SIGNATURE: {
    meaning: 'The device\'s signature over the presentation does not verify with the device key in the terms: not made by the bound device.',
    action: 'Refuse; the customer presents the password from the phone it was issued to.',
    http: 422,
  },
  PWTOKEN_STALE: {
    meaning: 'The device presentation\'s time lies outside the freshness window (too old, or too far ahead of this clock).',
    action: 'The customer refreshes the QR on the phone; check the terminal\'s clock if it recurs.',
    http: 422,
  },
  PWTOKEN_NOT_DEVICE_BOUND: {
    meaning: 'A device presentation was made for a password whose terms bind no device, or a bare code for one that is device-bound.',
    action: 'Device-bound passwords are spent only with the phone\'s signed QR; others with their code.',
    http: 422,
  },
  PWTOKEN_PRESENTATION_MISMATCH: {
    meaning: 'The shop id or amount the device signed differs from this shop or this amount.',
    action: 'The customer enters this shop\'s id or the right amount on the phone and presents again.',
    http: 422,
  },
});
