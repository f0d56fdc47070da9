/**
 * Tessera purse card application: identifiers, instruction table and field
 * sizes. The normative description, with test vectors, is sim/CARD.md.
 */

/** Application identifier: F0 (proprietary RID range) + ASCII "TESSERA" + version 01. */
export const PURSE_AID = Buffer.from('f054455353455241' + '01', 'hex');

/** Application version returned by SELECT. */
export const PURSE_APP_VERSION = 0x01;

/** Class bytes: ISO inter-industry for SELECT / VERIFY, proprietary for purse commands. */
export const CLA_ISO = 0x00;
export const CLA_PURSE = 0x80;

/**
 * Instruction table (INS byte, CLA, P1 P2):
 *
 * | INS  | CLA | P1 P2 | command     | data in                         | data out                      |
 * |------|-----|-------|-------------|---------------------------------|-------------------------------|
 * | 0xA4 | 00  | 04 00 | SELECT      | AID (9)                         | app version (1)               |
 * | 0x20 | 00  | 00 01 | VERIFY PIN  | PIN, 4-8 ASCII digits; or none  | -                             |
 * | 0x10 | 80  | 00 00 | READ ID     | -                               | card id (8)                   |
 * | 0x30 | 80  | 00 00 | READ PURSE  | -                               | balance u64, counter u32, currency (3) |
 * | 0x32 | 80  | 00 00 | CREDIT      | amount u64, host MAC (8)        | balance u64, counter u32, card MAC (8) |
 * | 0x34 | 80  | 00 00 | DEBIT       | amount u64, terminal id (16), terminal nonce (8) | balance u64, counter u32, card MAC (8) |
 */
export const INS = {
  select: 0xa4,
  verifyPin: 0x20,
  readId: 0x10,
  readPurse: 0x30,
  credit: 0x32,
  debit: 0x34,
} as const;

export const PURSE_SIZES = {
  cardIdBytes: 8,
  currencyBytes: 3,
  macBytes: 8,
  terminalIdBytes: 16,
  terminalNonceBytes: 8,
  pinDigitsMin: 4,
  pinDigitsMax: 8,
  /** READ PURSE response: balance u64 + counter u32 + currency. */
  purseBytes: 8 + 4 + 3,
  /** CREDIT / DEBIT response: balance u64 + counter u32 + MAC. */
  receiptBytes: 8 + 4 + 8,
  /** CREDIT data: amount u64 + host MAC. */
  creditDataBytes: 8 + 8,
  /** DEBIT data: amount u64 + terminal id + nonce. */
  debitDataBytes: 8 + 16 + 8,
} as const;

export const PURSE_LIMITS = {
  /** PIN tries a card starts with (and gets back after a correct PIN). */
  pinTriesMax: 3,
  /** Highest transaction counter; a card at this value refuses CREDIT and DEBIT. */
  counterMax: 0xffff_ffff,
  /** Highest balance (integer minor units; must stay a safe integer). */
  balanceMinorMax: Number.MAX_SAFE_INTEGER,
} as const;

/** Terminal ids: 1-16 of [A-Z0-9-] (team convention), zero-padded to 16 bytes on the card. */
export const TERMINAL_ID_PATTERN = /^[A-Z0-9-]{1,16}$/;
/** Currency: ISO 4217 alpha code. */
export const CURRENCY_PATTERN = /^[A-Z]{3}$/;
