import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { TesseraError } from '../../core/errors.js';
import { encodeTerminalId } from './commands.js';
import { PURSE_SIZES } from './constants.js';

/**
 * Purse card cryptography (normative text: sim/CARD.md, "Keys and MACs").
 *
 *   K_usage = HKDF-SHA-256(IKM = issuer master key (32 bytes),
 *                          salt = ASCII "TESSERA-PURSE-V1",
 *                          info = ASCII usage || card id (8 bytes), L = 32)
 *   usage: "CARD-MAC" (the card's key: debit MACs, credit receipts)
 *          "HOST-MAC" (the center's key for this card: credit authorisation)
 *   MAC(K, m) = HMAC-SHA-256(K, m), first 8 bytes.
 */
export const KEY_SALT = Buffer.from('TESSERA-PURSE-V1', 'ascii');
export const MASTER_KEY_BYTES = 32;
export const CARD_KEY_BYTES = 32;

/** Domain tags that start every MAC input, so one MAC can never stand for another. */
export const MAC_TAG = {
  debit: Buffer.from('TSPD', 'ascii'),
  credit: Buffer.from('TSPC', 'ascii'),
  creditReceipt: Buffer.from('TSPR', 'ascii'),
} as const;

export interface CardKeys {
  /** Held by the card; the center derives it to verify debit MACs and credit receipts. */
  readonly cardMacKey: Buffer;
  /** Held by the center only; the card holds it too, to verify credit authorisations. */
  readonly hostMacKey: Buffer;
}

function checkKey(key: Buffer, what: string): void {
  if (key.length !== MASTER_KEY_BYTES) throw new TesseraError('PURSE_BAD_KEY', `${what} must be 32 bytes`, { length: key.length });
}

function cardIdBytes(cardIdHex: string): Buffer {
  if (!/^[0-9a-f]{16}$/.test(cardIdHex)) throw new TesseraError('PURSE_BAD_ARGUMENT', 'card id must be 16 lowercase hex chars');
  return Buffer.from(cardIdHex, 'hex');
}

function derive(masterKey: Buffer, usage: string, cardId: Buffer): Buffer {
  const info = Buffer.concat([Buffer.from(usage, 'ascii'), cardId]);
  return Buffer.from(hkdfSync('sha256', masterKey, KEY_SALT, info, CARD_KEY_BYTES));
}

/** Diversifies the issuer master key into one card's keys. */
export function deriveCardKeys(masterKey: Buffer, cardIdHex: string): CardKeys {
  checkKey(masterKey, 'issuer master key');
  const id = cardIdBytes(cardIdHex);
  return { cardMacKey: derive(masterKey, 'CARD-MAC', id), hostMacKey: derive(masterKey, 'HOST-MAC', id) };
}

export function mac8(key: Buffer, message: Buffer): Buffer {
  checkKey(key, 'MAC key');
  return createHmac('sha256', key).update(message).digest().subarray(0, PURSE_SIZES.macBytes);
}

/** Constant-time comparison of two MACs (false on length mismatch). */
export function macEquals(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

function u64(n: number): Buffer {
  const out = Buffer.alloc(8);
  out.writeBigUInt64BE(BigInt(n));
  return out;
}

function u32(n: number): Buffer {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(n);
  return out;
}

export interface DebitMacInput {
  readonly cardId: string;
  /** The counter after this debit (the value the card returns). */
  readonly counter: number;
  readonly amountMinor: number;
  readonly currency: string;
  readonly terminalId: string;
  readonly terminalNonce: Buffer;
}

/** "TSPD" || card id (8) || counter u32 || amount u64 || currency (3) || terminal id (16) || nonce (8): 51 bytes. */
export function debitMacInput(input: DebitMacInput): Buffer {
  return Buffer.concat([
    MAC_TAG.debit,
    cardIdBytes(input.cardId),
    u32(input.counter),
    u64(input.amountMinor),
    Buffer.from(input.currency, 'ascii'),
    encodeTerminalId(input.terminalId),
    input.terminalNonce,
  ]);
}

/** The card's MAC over a debit: seed 004's "unique authenticator". */
export function debitMac(cardMacKey: Buffer, input: DebitMacInput): Buffer {
  return mac8(cardMacKey, debitMacInput(input));
}

export interface CreditMacInput {
  readonly cardId: string;
  /** The card's counter BEFORE the credit (as READ PURSE reports it). */
  readonly counter: number;
  readonly amountMinor: number;
  readonly currency: string;
}

/** "TSPC" || card id || counter u32 || amount u64 || currency: 27 bytes. */
export function creditMacInput(input: CreditMacInput): Buffer {
  return Buffer.concat([MAC_TAG.credit, cardIdBytes(input.cardId), u32(input.counter), u64(input.amountMinor), Buffer.from(input.currency, 'ascii')]);
}

/** The center's authorisation for a credit, checked by the card with its copy of the host MAC key. */
export function hostCreditMac(hostMacKey: Buffer, input: CreditMacInput): Buffer {
  return mac8(hostMacKey, creditMacInput(input));
}

export interface CreditReceiptInput {
  readonly cardId: string;
  /** The counter after the credit. */
  readonly counter: number;
  readonly amountMinor: number;
  readonly currency: string;
  readonly balanceMinor: number;
}

/** "TSPR" || card id || counter u32 || amount u64 || currency || balance u64: 35 bytes. */
export function creditReceiptInput(input: CreditReceiptInput): Buffer {
  return Buffer.concat([
    MAC_TAG.creditReceipt,
    cardIdBytes(input.cardId),
    u32(input.counter),
    u64(input.amountMinor),
    Buffer.from(input.currency, 'ascii'),
    u64(input.balanceMinor),
  ]);
}

/** The card's proof that it applied a credit. */
export function creditReceiptMac(cardMacKey: Buffer, input: CreditReceiptInput): Buffer {
  return mac8(cardMacKey, creditReceiptInput(input));
}
