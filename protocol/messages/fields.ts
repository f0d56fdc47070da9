/** Field readers and writers shared by several messages (sizes per PROTOCOL.md §5). */
import { PROTOCOL_LIMITS } from '../limits.js';
import { RECORD_STATUS, STATUS, TAG, type RecordStatus, type Status } from '../codes.js';
import { ascii, fixed, oneOf, sized, uint, uint64, type TlvFields } from '../tlv/fields.js';
import type { TlvWriter } from '../tlv/writer.js';
import type { BankAccount, PurchaseRecord, RecordKey, RecordResult } from './types.js';

export const TERMINAL_ID_RE = /^[A-Z0-9-]{1,16}$/;
export const CURRENCY_RE = /^[A-Z]{3}$/;
export const ID_RE = TERMINAL_ID_RE;
const patterns = new Map<string, RegExp>();
const cached = (src: string): RegExp => {
  let re = patterns.get(src);
  if (!re) patterns.set(src, (re = new RegExp(src)));
  return re;
};
export const DIGITS = (min: number, max: number): RegExp => cached(`^[0-9]{${min},${max}}$`);
export const PRINTABLE = (min: number, max: number): RegExp => cached(`^[\\x20-\\x7e]{${min},${max}}$`);
/** A voucher card's serial on the wire (16 digits); its Luhn check digit is the receiver's business check (a coded refusal, not a frame error). */
export const VOUCHER_SERIAL_RE = DIGITS(16, 16);
/** Settlement passwords in a shop (§6.6). The keypad code (or a code typed from the screen), dashes removed: 16 of [0-9A-Z]. */
export const SALE_PASSWORD_RE = /^[0-9A-Z]{16}$/;
/** The QR text as scanned ("TPQ1:" + base32); its format is the TTP's check (a coded refusal, not a frame error). */
export const PASSWORD_QR_RE = /^[A-Z0-9:]{1,1024}$/;
/** One goods category code of the basket. */
export const GOODS_CLASS_RE = /^[A-Z0-9]{1,8}$/;
/** Goods category codes in one sale request. */
export const SALE_GOODS_MAX = 16;

export const SEALED_MIN_BYTES = 12 + 1 + 16;
export const SEALED_MAX_BYTES = 12 + 64 + 16;

export const txId = (f: TlvFields): Buffer => fixed(TAG.TRANSACTION_ID, f.one(TAG.TRANSACTION_ID), 16);
export const mediumId = (f: TlvFields): Buffer => fixed(TAG.MEDIUM_ID, f.one(TAG.MEDIUM_ID), 8);
export const terminalId = (f: TlvFields): string => ascii(TAG.TERMINAL_ID, f.one(TAG.TERMINAL_ID), TERMINAL_ID_RE);
export const amount = (f: TlvFields, tag: number = TAG.AMOUNT_MINOR): number => uint64(tag, f.one(tag));
export const currency = (f: TlvFields): string => ascii(TAG.CURRENCY, f.one(TAG.CURRENCY), CURRENCY_RE);
export const nonce = (f: TlvFields): Buffer => fixed(TAG.NONCE, f.one(TAG.NONCE), 32);
export const proof = (f: TlvFields): Buffer => fixed(TAG.PROOF, f.one(TAG.PROOF), 32);
export const sealed = (f: TlvFields, tag: number): Buffer => sized(tag, f.one(tag), SEALED_MIN_BYTES, SEALED_MAX_BYTES);

export function optU64(f: TlvFields, tag: number): number | undefined {
  const v = f.opt(tag);
  return v === undefined ? undefined : uint64(tag, v);
}
export function optAscii(f: TlvFields, tag: number, re: RegExp): string | undefined {
  const v = f.opt(tag);
  return v === undefined ? undefined : ascii(tag, v, re);
}

/** status + result code, the common head of every *_RESULT. */
export function outcome(f: TlvFields): { transactionId: Buffer; status: Status; resultCode: number } {
  return {
    transactionId: txId(f),
    status: oneOf(TAG.STATUS, uint(TAG.STATUS, f.one(TAG.STATUS), 1), STATUS),
    resultCode: uint(TAG.RESULT_CODE, f.one(TAG.RESULT_CODE), 2),
  };
}
export function writeOutcome(w: TlvWriter, m: { transactionId: Buffer; status: Status; resultCode: number }): void {
  w.bytes(TAG.TRANSACTION_ID, m.transactionId).u8(TAG.STATUS, m.status).u16(TAG.RESULT_CODE, m.resultCode);
}

export function bankAccount(f: TlvFields): BankAccount {
  return {
    bankCode: ascii(TAG.BANK_CODE, f.one(TAG.BANK_CODE), DIGITS(4, 4)),
    branchCode: ascii(TAG.BRANCH_CODE, f.one(TAG.BRANCH_CODE), DIGITS(3, 3)),
    accountNumber: ascii(TAG.ACCOUNT_NUMBER, f.one(TAG.ACCOUNT_NUMBER), DIGITS(7, 7)),
  };
}
export function writeBankAccount(w: TlvWriter, a: BankAccount): void {
  w.ascii(TAG.BANK_CODE, a.bankCode).ascii(TAG.BRANCH_CODE, a.branchCode).ascii(TAG.ACCOUNT_NUMBER, a.accountNumber);
}

export function recordKey(f: TlvFields): RecordKey {
  return { mediumId: mediumId(f), cardCounter: uint(TAG.CARD_COUNTER, f.one(TAG.CARD_COUNTER), 4) };
}
export function writeRecordKey(w: TlvWriter, k: RecordKey): void {
  w.bytes(TAG.MEDIUM_ID, k.mediumId).u32(TAG.CARD_COUNTER, k.cardCounter);
}

export function purchaseRecords(f: TlvFields): PurchaseRecord[] {
  return f.nested(TAG.RECORD, PROTOCOL_LIMITS.recordsPerFrameMax).map((r) => {
    const rec: PurchaseRecord = {
      ...recordKey(r),
      amountMinor: amount(r),
      currency: currency(r),
      terminalId: terminalId(r),
      terminalNonce: fixed(TAG.TERMINAL_NONCE, r.one(TAG.TERMINAL_NONCE), 8),
      cardMac: sized(TAG.CARD_MAC, r.one(TAG.CARD_MAC), 4, 32),
    };
    r.done();
    return rec;
  });
}
export function writePurchaseRecords(w: TlvWriter, records: readonly PurchaseRecord[]): void {
  for (const rec of records) {
    w.nested(TAG.RECORD, (n) => {
      writeRecordKey(n, rec);
      n.u64(TAG.AMOUNT_MINOR, rec.amountMinor).ascii(TAG.CURRENCY, rec.currency).ascii(TAG.TERMINAL_ID, rec.terminalId);
      n.bytes(TAG.TERMINAL_NONCE, rec.terminalNonce).bytes(TAG.CARD_MAC, rec.cardMac);
    });
  }
}

export function recordResults(f: TlvFields): RecordResult[] {
  return f.nested(TAG.RECORD_RESULT, PROTOCOL_LIMITS.recordsPerFrameMax).map((r) => {
    const res: RecordResult = {
      ...recordKey(r),
      status: oneOf(TAG.RECORD_STATUS, uint(TAG.RECORD_STATUS, r.one(TAG.RECORD_STATUS), 1), RECORD_STATUS) as RecordStatus,
    };
    r.done();
    return res;
  });
}
export function writeRecordResults(w: TlvWriter, results: readonly RecordResult[]): void {
  for (const res of results) {
    w.nested(TAG.RECORD_RESULT, (n) => {
      writeRecordKey(n, res);
      n.u8(TAG.RECORD_STATUS, res.status);
    });
  }
}

/** `{ [key]: value }` when value is defined, else `{}` (exactOptionalPropertyTypes-friendly). */
export function optional<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}
