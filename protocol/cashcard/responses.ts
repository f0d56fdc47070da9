import { TesseraError } from '../../core/errors.js';
import { CASH_CARD_APP_VERSION, CASH_CARD_SIZES } from './constants.js';

/** A bank account as the cash card carries it (Japanese convention: 4-digit bank, 3-digit branch, 7-digit account). */
export interface CashCardAccount {
  readonly bankCode: string;
  readonly branchCode: string;
  readonly accountNumber: string;
}

export interface CashCardResponse {
  readonly data: Buffer;
  readonly sw: number;
}

const BANK = /^[0-9]{4}$/;
const BRANCH = /^[0-9]{3}$/;
const ACCOUNT = /^[0-9]{7}$/;

function bad(message: string, details?: Record<string, unknown>): TesseraError {
  return new TesseraError('CASHCARD_BAD_RESPONSE', message, details);
}

/** True when all three fields follow the convention. */
export function isCashCardAccount(a: CashCardAccount): boolean {
  return BANK.test(a.bankCode) && BRANCH.test(a.branchCode) && ACCOUNT.test(a.accountNumber);
}

/** Splits an R-APDU into data and SW1SW2; fewer than 2 bytes is CASHCARD_BAD_RESPONSE. */
export function splitCashCardResponse(rapdu: Buffer): CashCardResponse {
  if (rapdu.length < 2) throw bad('response shorter than a status word', { length: rapdu.length });
  return { data: Buffer.from(rapdu.subarray(0, rapdu.length - 2)), sw: rapdu.readUInt16BE(rapdu.length - 2) };
}

/** SELECT response data: the application version (one byte, 01). */
export function decodeCashCardSelect(data: Buffer): number {
  if (data.length !== 1 || data[0] !== CASH_CARD_APP_VERSION) throw bad('SELECT must answer the application version 01', { length: data.length });
  return CASH_CARD_APP_VERSION;
}

/** READ ACCOUNT data (card side). Throws CASHCARD_BAD_ARGUMENT on a malformed field. */
export function encodeCashCardAccount(a: CashCardAccount): Buffer {
  if (!isCashCardAccount(a)) throw new TesseraError('CASHCARD_BAD_ARGUMENT', 'account must be bank 4 digits, branch 3 digits, account 7 digits');
  return Buffer.from(a.bankCode + a.branchCode + a.accountNumber, 'ascii');
}

/** READ ACCOUNT data -> the account; wrong length or a non-digit is CASHCARD_BAD_RESPONSE. */
export function decodeCashCardAccount(data: Buffer): CashCardAccount {
  if (data.length !== CASH_CARD_SIZES.accountBytes) throw bad(`READ ACCOUNT response must have ${CASH_CARD_SIZES.accountBytes} bytes`, { length: data.length });
  const text = data.toString('latin1');
  const account = { bankCode: text.slice(0, 4), branchCode: text.slice(4, 7), accountNumber: text.slice(7, 14) };
  if (!isCashCardAccount(account)) throw bad('READ ACCOUNT response holds a non-digit');
  return account;
}
