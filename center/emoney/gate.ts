/**
 * The e-money flows at the center's general gate (center/validity/gate.ts):
 * a validity judgement as an e-money result code.
 */
import type { Judgement } from '../validity/types.js';
import type { EmoneyCode } from './errors.js';

/** The code of a refusal: the card is kept (invalid), returned (unknown), the terminal may not act, or the lists could not be read. */
export function gateCode(j: Judgement & { ok: false }): EmoneyCode {
  switch (j.reason) {
    case 'MEDIUM_LOST':
    case 'MEDIUM_STOLEN':
    case 'MEDIUM_EXPIRED':
    case 'MEDIUM_CAPTURED':
      return 'EMONEY_MEDIUM_INVALID';
    case 'MEDIUM_UNKNOWN':
    case 'BAD_REQUEST':
      return 'EMONEY_MEDIUM_UNKNOWN';
    case 'TERMINAL_UNKNOWN':
    case 'TERMINAL_INACTIVE':
    case 'TERMINAL_BLOCKED':
      return 'EMONEY_TERMINAL_INVALID';
    case 'UNAVAILABLE':
      return 'EMONEY_VALIDITY_UNAVAILABLE';
  }
}
