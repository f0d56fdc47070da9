import { TesseraError } from '../../core/errors.js';
import { CURRENCY_PATTERN, PURSE_LIMITS, PURSE_SIZES } from './constants.js';

/** An R-APDU: response data and the status word SW1SW2. */
export interface ResponseApdu {
  readonly data: Buffer;
  readonly sw: number;
}

/** Balance, transaction counter and currency as READ PURSE returns them. */
export interface PurseState {
  readonly balanceMinor: number;
  readonly counter: number;
  readonly currency: string;
}

/** What CREDIT and DEBIT return: the new balance and counter and the card's MAC over the transaction. */
export interface PurseReceipt {
  readonly balanceMinor: number;
  readonly counter: number;
  readonly cardMac: Buffer;
}

function bad(message: string, details?: Record<string, unknown>): TesseraError {
  return new TesseraError('PURSE_BAD_RESPONSE', message, details);
}

/** Splits an R-APDU; fewer than 2 bytes is PURSE_BAD_RESPONSE. */
export function splitResponse(rapdu: Buffer): ResponseApdu {
  if (rapdu.length < 2) throw bad('response shorter than a status word', { length: rapdu.length });
  return { data: Buffer.from(rapdu.subarray(0, rapdu.length - 2)), sw: rapdu.readUInt16BE(rapdu.length - 2) };
}

export function encodeResponse(data: Buffer, sw: number): Buffer {
  const out = Buffer.alloc(data.length + 2);
  data.copy(out, 0);
  out.writeUInt16BE(sw, data.length);
  return out;
}

function expectLength(data: Buffer, length: number, what: string): void {
  if (data.length !== length) throw bad(`${what} response must have ${length} bytes`, { length: data.length });
}

function readBalance(data: Buffer): number {
  const value = data.readBigUInt64BE(0);
  if (value > BigInt(PURSE_LIMITS.balanceMinorMax)) throw bad('balance above the purse maximum');
  return Number(value);
}

/** READ ID data -> card id as 16 lowercase hex chars (the medium id convention). */
export function decodeReadId(data: Buffer): string {
  expectLength(data, PURSE_SIZES.cardIdBytes, 'READ ID');
  return data.toString('hex');
}

export function encodePurseState(state: PurseState): Buffer {
  const out = Buffer.alloc(PURSE_SIZES.purseBytes);
  out.writeBigUInt64BE(BigInt(state.balanceMinor), 0);
  out.writeUInt32BE(state.counter, 8);
  out.write(state.currency, 12, 'ascii');
  return out;
}

export function decodePurseState(data: Buffer): PurseState {
  expectLength(data, PURSE_SIZES.purseBytes, 'READ PURSE');
  const currency = data.subarray(12, 15).toString('latin1');
  if (!CURRENCY_PATTERN.test(currency)) throw bad('currency is not 3 uppercase letters');
  return { balanceMinor: readBalance(data), counter: data.readUInt32BE(8), currency };
}

export function encodeReceipt(receipt: PurseReceipt): Buffer {
  const out = Buffer.alloc(PURSE_SIZES.receiptBytes);
  out.writeBigUInt64BE(BigInt(receipt.balanceMinor), 0);
  out.writeUInt32BE(receipt.counter, 8);
  receipt.cardMac.copy(out, 12);
  return out;
}

export function decodeReceipt(data: Buffer): PurseReceipt {
  expectLength(data, PURSE_SIZES.receiptBytes, 'CREDIT/DEBIT');
  return { balanceMinor: readBalance(data), counter: data.readUInt32BE(8), cardMac: Buffer.from(data.subarray(12, 20)) };
}
