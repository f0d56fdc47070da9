/**
 * The bank cash card application (seed 004: the user's bank card read at the
 * provider kiosk): identifiers, instruction table, field sizes. The normative
 * description, with test vectors, is sim/CARD.md ("The bank cash card").
 */
import { buildAtr } from '../purse/atr.js';

/** Application identifier: F0 (proprietary RID range) + ASCII "BANKCASH" + version 01. */
export const CASH_CARD_AID = Buffer.from('f0' + Buffer.from('BANKCASH', 'ascii').toString('hex') + '01', 'hex');

/** Application version returned by SELECT. */
export const CASH_CARD_APP_VERSION = 0x01;

/** ATR of a simulated cash card: historical bytes ASCII "BANKCASH" + 01. */
export const CASH_CARD_ATR = buildAtr(Buffer.from('BANKCASH\x01', 'latin1'));

export const CASH_CLA_ISO = 0x00;
export const CASH_CLA = 0x80;

/**
 * | INS  | CLA | P1 P2 | command      | data in  | data out                                     |
 * |------|-----|-------|--------------|----------|----------------------------------------------|
 * | 0xA4 | 00  | 04 00 | SELECT       | AID (10) | app version (1)                              |
 * | 0x50 | 80  | 00 00 | READ ACCOUNT | -        | bank code (4) ‖ branch (3) ‖ account (7), ASCII digits |
 */
export const CASH_INS = {
  select: 0xa4,
  readAccount: 0x50,
} as const;

export const CASH_CARD_SIZES = {
  bankCodeDigits: 4,
  branchCodeDigits: 3,
  accountNumberDigits: 7,
  /** READ ACCOUNT response: 4 + 3 + 7 ASCII digits. */
  accountBytes: 4 + 3 + 7,
} as const;
