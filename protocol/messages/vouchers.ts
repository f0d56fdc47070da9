/**
 * Vouchers activated at the point of sale (seed 002; PROTOCOL.md §6.5): the
 * till sells a card (its public serial, never the PIN), cancels a sale, or
 * reverses a sale whose answer never came. The four messages of the first
 * sketch (0x38-0x3b, services.ts) are retired.
 */
import { MSG, TAG } from '../codes.js';
import { ascii, fixed } from '../tlv/fields.js';
import { codec } from './codec.js';
import { VOUCHER_SERIAL_RE, amount, currency, optU64, optional, outcome, txId, writeOutcome } from './fields.js';
import type { VoucherActivate, VoucherResult, VoucherReversal, VoucherVoid } from './types.js';

const serial = (f: Parameters<typeof txId>[0]): string => ascii(TAG.VOUCHER_SERIAL, f.one(TAG.VOUCHER_SERIAL), VOUCHER_SERIAL_RE);

export const voucherActivate = codec<VoucherActivate>({
  code: MSG.VOUCHER_ACTIVATE, type: 'voucherActivate', kind: 'request',
  encode: (w, m) => {
    w.bytes(TAG.TRANSACTION_ID, m.transactionId).ascii(TAG.VOUCHER_SERIAL, m.serial).u64(TAG.AMOUNT_MINOR, m.amountMinor).ascii(TAG.CURRENCY, m.currency);
  },
  decode: (f) => ({ type: 'voucherActivate', transactionId: txId(f), serial: serial(f), amountMinor: amount(f), currency: currency(f) }),
});

export const voucherVoid = codec<VoucherVoid>({
  code: MSG.VOUCHER_VOID, type: 'voucherVoid', kind: 'request',
  encode: (w, m) => {
    w.bytes(TAG.TRANSACTION_ID, m.transactionId).bytes(TAG.ORIGINAL_TRANSACTION_ID, m.originalTransactionId);
  },
  decode: (f) => ({
    type: 'voucherVoid',
    transactionId: txId(f),
    originalTransactionId: fixed(TAG.ORIGINAL_TRANSACTION_ID, f.one(TAG.ORIGINAL_TRANSACTION_ID), 16),
  }),
});

export const voucherReversal = codec<VoucherReversal>({
  code: MSG.VOUCHER_REVERSAL, type: 'voucherReversal', kind: 'request',
  encode: (w, m) => {
    w.bytes(TAG.TRANSACTION_ID, m.transactionId).ascii(TAG.VOUCHER_SERIAL, m.serial).u64(TAG.AMOUNT_MINOR, m.amountMinor).ascii(TAG.CURRENCY, m.currency);
  },
  decode: (f) => ({ type: 'voucherReversal', transactionId: txId(f), serial: serial(f), amountMinor: amount(f), currency: currency(f) }),
});

export const voucherResult = codec<VoucherResult>({
  code: MSG.VOUCHER_RESULT, type: 'voucherResult', kind: 'response',
  encode: (w, m) => {
    writeOutcome(w, m);
    w.optU64(TAG.AMOUNT_MINOR, m.amountMinor).optU64(TAG.EXPIRES_AT_MS, m.expiresAtMs);
  },
  // Fields are checked in layout order (PROTOCOL.md §3.5).
  decode: (f) => {
    const head = outcome(f);
    const amountMinor = optU64(f, TAG.AMOUNT_MINOR);
    const expiresAtMs = optU64(f, TAG.EXPIRES_AT_MS);
    return { type: 'voucherResult', ...head, ...optional('amountMinor', amountMinor), ...optional('expiresAtMs', expiresAtMs) };
  },
});
