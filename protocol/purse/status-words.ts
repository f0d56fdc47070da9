/**
 * ISO 7816-4 status words the purse application answers, as SW1SW2 numbers.
 * `63Cx` carries the PIN tries left in its low nibble.
 */
export const SW = {
  /** 9000 normal processing. */
  ok: 0x9000,
  /** 63Cx wrong PIN, x tries left (63C0: the card is now blocked). */
  pinWrongBase: 0x63c0,
  /** 6700 wrong length (Lc / data length / extended APDU). */
  wrongLength: 0x6700,
  /** 6982 security status not satisfied: PIN not verified. */
  securityNotSatisfied: 0x6982,
  /** 6983 authentication method blocked: PIN tries exhausted. */
  pinBlocked: 0x6983,
  /** 6985 conditions of use not satisfied: insufficient funds, balance or counter at maximum. */
  conditionsNotSatisfied: 0x6985,
  /** 6986 command not allowed: the purse application is not selected. */
  notSelected: 0x6986,
  /** 6988 incorrect secure-messaging data: the host MAC did not verify. */
  macInvalid: 0x6988,
  /** 6A80 incorrect data field (amount 0 or too large, bad terminal id, PIN not digits). */
  wrongData: 0x6a80,
  /** 6A82 application not found (SELECT of an AID the card does not hold). */
  appNotFound: 0x6a82,
  /** 6A86 incorrect P1 P2. */
  wrongP1P2: 0x6a86,
  /** 6D00 instruction not supported. */
  insNotSupported: 0x6d00,
  /** 6E00 class not supported. */
  claNotSupported: 0x6e00,
} as const;

/** The PIN-wrong status word with `triesLeft` (0-15) in its low nibble. */
export function swPinWrong(triesLeft: number): number {
  return SW.pinWrongBase | (triesLeft & 0x0f);
}

/** Tries left if `sw` is 63Cx, otherwise null. */
export function pinTriesFromSw(sw: number): number | null {
  return (sw & 0xfff0) === SW.pinWrongBase ? sw & 0x0f : null;
}

/** Four hex digits, upper case, as status words are usually written. */
export function swHex(sw: number): string {
  return sw.toString(16).toUpperCase().padStart(4, '0');
}
