/** The first sketches of vouchers (seed 002) and settlement passwords (seed 003); PROTOCOL.md §6.5-§6.6. The prepaid messages: prepaid.ts. */
import { PROTOCOL_LIMITS } from '../limits.js';
import { MSG, TAG } from '../codes.js';
import { ascii, type TlvFields } from '../tlv/fields.js';
import { protoError } from '../errors.js';
import { codec } from './codec.js';
import {
  DIGITS, ID_RE, PRINTABLE, amount, currency, optAscii, optU64, optional, outcome, txId, writeOutcome,
} from './fields.js';
import type {
  PasswordIssueRequest, PasswordIssueResult, PasswordRedeemRequest, PasswordRedeemResult,
  VoucherActivateRequest, VoucherActivateResult, VoucherRedeemRequest, VoucherRedeemResult,
} from './types.js';

const VOUCHER_PIN_RE = DIGITS(10, 16);
const PASSWORD_RE = /^[A-Z0-9]{8,32}$/;
const VERIFICATION_RE = DIGITS(4, 16);

function voucherPins(f: TlvFields): string[] {
  const list = f.many(TAG.VOUCHER_PIN, PROTOCOL_LIMITS.vouchersPerRedeemMax);
  if (list.length === 0) throw protoError('PROTO_TLV_MISSING_TAG', 'a redemption names at least one voucher');
  return list.map((v) => ascii(TAG.VOUCHER_PIN, v, VOUCHER_PIN_RE));
}

export const voucherActivateRequest = codec<VoucherActivateRequest>({
  code: MSG.VOUCHER_ACTIVATE_REQUEST, type: 'voucherActivateRequest', kind: 'request',
  encode: (w, m) => {
    w.bytes(TAG.TRANSACTION_ID, m.transactionId).u64(TAG.AMOUNT_MINOR, m.amountMinor).ascii(TAG.CURRENCY, m.currency);
    w.ascii(TAG.VOUCHER_PIN, m.voucherPin).ascii(TAG.MERCHANT_ID, m.merchantId);
  },
  decode: (f) => ({
    type: 'voucherActivateRequest',
    transactionId: txId(f),
    amountMinor: amount(f),
    currency: currency(f),
    voucherPin: ascii(TAG.VOUCHER_PIN, f.one(TAG.VOUCHER_PIN), VOUCHER_PIN_RE),
    merchantId: ascii(TAG.MERCHANT_ID, f.one(TAG.MERCHANT_ID), ID_RE),
  }),
});

export const voucherActivateResult = codec<VoucherActivateResult>({
  code: MSG.VOUCHER_ACTIVATE_RESULT, type: 'voucherActivateResult', kind: 'response',
  encode: (w, m) => writeOutcome(w, m),
  decode: (f) => ({ type: 'voucherActivateResult', ...outcome(f) }),
});

export const voucherRedeemRequest = codec<VoucherRedeemRequest>({
  code: MSG.VOUCHER_REDEEM_REQUEST, type: 'voucherRedeemRequest', kind: 'request',
  encode: (w, m) => {
    w.bytes(TAG.TRANSACTION_ID, m.transactionId).u64(TAG.AMOUNT_MINOR, m.amountMinor).ascii(TAG.CURRENCY, m.currency);
    for (const pin of m.voucherPins) w.ascii(TAG.VOUCHER_PIN, pin);
    w.ascii(TAG.MERCHANT_ID, m.merchantId);
  },
  decode: (f) => ({
    type: 'voucherRedeemRequest',
    transactionId: txId(f),
    amountMinor: amount(f),
    currency: currency(f),
    voucherPins: voucherPins(f),
    merchantId: ascii(TAG.MERCHANT_ID, f.one(TAG.MERCHANT_ID), ID_RE),
  }),
});

export const voucherRedeemResult = codec<VoucherRedeemResult>({
  code: MSG.VOUCHER_REDEEM_RESULT, type: 'voucherRedeemResult', kind: 'response',
  encode: (w, m) => {
    writeOutcome(w, m);
    w.optU64(TAG.BALANCE_MINOR, m.balanceMinor);
  },
  decode: (f) => ({ type: 'voucherRedeemResult', ...outcome(f), ...optional('balanceMinor', optU64(f, TAG.BALANCE_MINOR)) }),
});

export const passwordIssueRequest = codec<PasswordIssueRequest>({
  code: MSG.PASSWORD_ISSUE_REQUEST, type: 'passwordIssueRequest', kind: 'request',
  encode: (w, m) => {
    w.bytes(TAG.TRANSACTION_ID, m.transactionId).u64(TAG.AMOUNT_MINOR, m.amountMinor).ascii(TAG.CURRENCY, m.currency);
    w.optAscii(TAG.MERCHANT_ID, m.payeeId).ascii(TAG.DEVICE_ADDRESS, m.deviceAddress);
    w.optU64(TAG.EXPIRES_AT_MS, m.expiresAtMs).optAscii(TAG.USER_RESTRICTION, m.userRestriction);
    w.optAscii(TAG.GOODS_CLASS, m.goodsClass);
  },
  decode: (f) => ({
    type: 'passwordIssueRequest',
    transactionId: txId(f),
    amountMinor: amount(f),
    currency: currency(f),
    ...optional('payeeId', optAscii(f, TAG.MERCHANT_ID, ID_RE)),
    deviceAddress: ascii(TAG.DEVICE_ADDRESS, f.one(TAG.DEVICE_ADDRESS), PRINTABLE(1, 64)),
    ...optional('expiresAtMs', optU64(f, TAG.EXPIRES_AT_MS)),
    ...optional('userRestriction', optAscii(f, TAG.USER_RESTRICTION, PRINTABLE(1, 64))),
    ...optional('goodsClass', optAscii(f, TAG.GOODS_CLASS, PRINTABLE(1, 32))),
  }),
});

export const passwordIssueResult = codec<PasswordIssueResult>({
  code: MSG.PASSWORD_ISSUE_RESULT, type: 'passwordIssueResult', kind: 'response',
  encode: (w, m) => {
    writeOutcome(w, m);
    w.optAscii(TAG.PASSWORD, m.password).optAscii(TAG.VERIFICATION_CODE, m.verificationCode);
    w.optU64(TAG.EXPIRES_AT_MS, m.expiresAtMs);
  },
  decode: (f) => ({
    type: 'passwordIssueResult',
    ...outcome(f),
    ...optional('password', optAscii(f, TAG.PASSWORD, PASSWORD_RE)),
    ...optional('verificationCode', optAscii(f, TAG.VERIFICATION_CODE, VERIFICATION_RE)),
    ...optional('expiresAtMs', optU64(f, TAG.EXPIRES_AT_MS)),
  }),
});

export const passwordRedeemRequest = codec<PasswordRedeemRequest>({
  code: MSG.PASSWORD_REDEEM_REQUEST, type: 'passwordRedeemRequest', kind: 'request',
  encode: (w, m) => {
    w.bytes(TAG.TRANSACTION_ID, m.transactionId).u64(TAG.AMOUNT_MINOR, m.amountMinor).ascii(TAG.CURRENCY, m.currency);
    w.ascii(TAG.MERCHANT_ID, m.merchantId).ascii(TAG.PASSWORD, m.password);
    w.ascii(TAG.VERIFICATION_CODE, m.verificationCode).optAscii(TAG.GOODS_CLASS, m.goodsClass);
  },
  decode: (f) => ({
    type: 'passwordRedeemRequest',
    transactionId: txId(f),
    amountMinor: amount(f),
    currency: currency(f),
    merchantId: ascii(TAG.MERCHANT_ID, f.one(TAG.MERCHANT_ID), ID_RE),
    password: ascii(TAG.PASSWORD, f.one(TAG.PASSWORD), PASSWORD_RE),
    verificationCode: ascii(TAG.VERIFICATION_CODE, f.one(TAG.VERIFICATION_CODE), VERIFICATION_RE),
    ...optional('goodsClass', optAscii(f, TAG.GOODS_CLASS, PRINTABLE(1, 32))),
  }),
});

export const passwordRedeemResult = codec<PasswordRedeemResult>({
  code: MSG.PASSWORD_REDEEM_RESULT, type: 'passwordRedeemResult', kind: 'response',
  encode: (w, m) => {
    writeOutcome(w, m);
    w.optU64(TAG.BALANCE_MINOR, m.balanceMinor);
  },
  decode: (f) => ({ type: 'passwordRedeemResult', ...outcome(f), ...optional('balanceMinor', optU64(f, TAG.BALANCE_MINOR)) }),
});
