/**
 * Settlement passwords spent in a shop (seed 003; PROTOCOL.md §6.6): the
 * terminal sends the password as scanned off the phone (the QR text) or
 * keyed (the keypad code) with the sale's amount; the TTP answers with the
 * outcome and the value left. The shop is the terminal's, never a field.
 * The four messages of the first sketch (0x40-0x43, services.ts) are retired.
 */
import { MSG, TAG } from '../codes.js';
import { protoError } from '../errors.js';
import { ascii } from '../tlv/fields.js';
import { codec } from './codec.js';
import { GOODS_CLASS_RE, PASSWORD_QR_RE, PRINTABLE, SALE_GOODS_MAX, SALE_PASSWORD_RE, amount, currency, optAscii, optU64, optional, outcome, txId, writeOutcome } from './fields.js';
import type { PasswordSaleRequest, PasswordSaleResult } from './types.js';

export const passwordSaleRequest = codec<PasswordSaleRequest>({
  code: MSG.PASSWORD_SALE_REQUEST, type: 'passwordSaleRequest', kind: 'request',
  encode: (w, m) => {
    w.bytes(TAG.TRANSACTION_ID, m.transactionId).u64(TAG.AMOUNT_MINOR, m.amountMinor).ascii(TAG.CURRENCY, m.currency);
    w.optAscii(TAG.PASSWORD, m.password).optAscii(TAG.PASSWORD_QR, m.passwordQr);
    for (const g of m.goodsClasses) w.ascii(TAG.GOODS_CLASS, g);
    w.optAscii(TAG.USER_RESTRICTION, m.userRestriction);
  },
  // Fields are checked in layout order (PROTOCOL.md §3.5).
  decode: (f) => {
    const transactionId = txId(f);
    const amountMinor = amount(f);
    const cur = currency(f);
    const password = optAscii(f, TAG.PASSWORD, SALE_PASSWORD_RE);
    const passwordQr = optAscii(f, TAG.PASSWORD_QR, PASSWORD_QR_RE);
    if ((password === undefined) === (passwordQr === undefined)) {
      throw password === undefined
        ? protoError('PROTO_TLV_MISSING_TAG', 'a sale names the password: PASSWORD or PASSWORD_QR', { tag: '9d' })
        : protoError('PROTO_TLV_BAD_VALUE', 'a sale carries exactly one of PASSWORD and PASSWORD_QR', { tag: '9f40' });
    }
    const goodsClasses = f.many(TAG.GOODS_CLASS, SALE_GOODS_MAX).map((v) => ascii(TAG.GOODS_CLASS, v, GOODS_CLASS_RE));
    const userRestriction = optAscii(f, TAG.USER_RESTRICTION, PRINTABLE(1, 64));
    return {
      type: 'passwordSaleRequest', transactionId, amountMinor, currency: cur,
      ...optional('password', password), ...optional('passwordQr', passwordQr), goodsClasses, ...optional('userRestriction', userRestriction),
    };
  },
});

export const passwordSaleResult = codec<PasswordSaleResult>({
  code: MSG.PASSWORD_SALE_RESULT, type: 'passwordSaleResult', kind: 'response',
  encode: (w, m) => {
    writeOutcome(w, m);
    w.optU64(TAG.AMOUNT_MINOR, m.amountMinor).optU64(TAG.BALANCE_MINOR, m.balanceMinor).optU64(TAG.EXPIRES_AT_MS, m.expiresAtMs);
  },
  decode: (f) => {
    const head = outcome(f);
    const amountMinor = optU64(f, TAG.AMOUNT_MINOR);
    const balanceMinor = optU64(f, TAG.BALANCE_MINOR);
    const expiresAtMs = optU64(f, TAG.EXPIRES_AT_MS);
    return { type: 'passwordSaleResult', ...head, ...optional('amountMinor', amountMinor), ...optional('balanceMinor', balanceMinor), ...optional('expiresAtMs', expiresAtMs) };
  },
});
