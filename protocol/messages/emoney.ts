/** E-money over bank POS: charge, issue, purchase upload, settlement with callback (seed 004; PROTOCOL.md §6.3). */
import { PROTOCOL_LIMITS } from '../limits.js';
import { MSG, TAG } from '../codes.js';
import { fixed, sized, uint } from '../tlv/fields.js';
import { codec } from './codec.js';
import {
  amount, bankAccount, currency, mediumId, optional, optU64, outcome, purchaseRecords, recordKey, recordResults, sealed,
  terminalId, txId, writeBankAccount, writeOutcome, writePurchaseRecords, writeRecordKey, writeRecordResults,
} from './fields.js';
import type {
  AwaitCallback, ChargeAbandon, ChargeRequest, ChargeResult, EmoneyIssueRequest, EmoneyIssueResult, PurchaseUpload, PurchaseUploadAck,
  SettleRefused, SettleRequest, SettlementAck, SettlementInstruction,
} from './types.js';

export const chargeRequest = codec<ChargeRequest>({
  code: MSG.CHARGE_REQUEST, type: 'chargeRequest', kind: 'request',
  encode: (w, m) => {
    w.bytes(TAG.TRANSACTION_ID, m.transactionId).u64(TAG.AMOUNT_MINOR, m.amountMinor).ascii(TAG.CURRENCY, m.currency);
    writeBankAccount(w, m);
    w.bytes(TAG.PIN_BLOCK, m.pinBlock);
  },
  decode: (f) => ({
    type: 'chargeRequest',
    transactionId: txId(f),
    amountMinor: amount(f),
    currency: currency(f),
    ...bankAccount(f),
    pinBlock: sealed(f, TAG.PIN_BLOCK),
  }),
});

export const chargeResult = codec<ChargeResult>({
  code: MSG.CHARGE_RESULT, type: 'chargeResult', kind: 'response',
  encode: (w, m) => writeOutcome(w, m),
  decode: (f) => ({ type: 'chargeResult', ...outcome(f) }),
});

export const chargeAbandon = codec<ChargeAbandon>({
  code: MSG.CHARGE_ABANDON, type: 'chargeAbandon', kind: 'request',
  encode: (w, m) => {
    w.bytes(TAG.TRANSACTION_ID, m.transactionId).u64(TAG.AMOUNT_MINOR, m.amountMinor).ascii(TAG.CURRENCY, m.currency);
    writeBankAccount(w, m);
  },
  decode: (f) => ({ type: 'chargeAbandon', transactionId: txId(f), amountMinor: amount(f), currency: currency(f), ...bankAccount(f) }),
});

export const emoneyIssueRequest = codec<EmoneyIssueRequest>({
  code: MSG.EMONEY_ISSUE_REQUEST, type: 'emoneyIssueRequest', kind: 'request',
  encode: (w, m) => {
    w.bytes(TAG.TRANSACTION_ID, m.transactionId).bytes(TAG.MEDIUM_ID, m.mediumId).u32(TAG.CARD_COUNTER, m.cardCounter);
    w.u64(TAG.AMOUNT_MINOR, m.amountMinor).ascii(TAG.CURRENCY, m.currency);
    // Credit confirmation (center/emoney/README.md): the card's credit receipt and the balance it reported.
    w.optBytes(TAG.CARD_MAC, m.creditReceipt).optU64(TAG.BALANCE_MINOR, m.balanceMinor);
  },
  // Fields are checked in layout order (PROTOCOL.md §3.5): the first wrong one names the error.
  decode: (f) => {
    const head = {
      transactionId: txId(f),
      mediumId: mediumId(f),
      cardCounter: uint(TAG.CARD_COUNTER, f.one(TAG.CARD_COUNTER), 4),
      amountMinor: amount(f),
      currency: currency(f),
    };
    const receipt = f.opt(TAG.CARD_MAC);
    return {
      type: 'emoneyIssueRequest',
      ...head,
      ...optional('creditReceipt', receipt && sized(TAG.CARD_MAC, receipt, 4, 32)),
      ...optional('balanceMinor', optU64(f, TAG.BALANCE_MINOR)),
    };
  },
});

export const emoneyIssueResult = codec<EmoneyIssueResult>({
  code: MSG.EMONEY_ISSUE_RESULT, type: 'emoneyIssueResult', kind: 'response',
  encode: (w, m) => {
    writeOutcome(w, m);
    w.optBytes(TAG.HOST_MAC, m.hostMac);
  },
  decode: (f) => {
    const head = outcome(f);
    const mac = f.opt(TAG.HOST_MAC);
    return { type: 'emoneyIssueResult', ...head, ...optional('hostMac', mac && sized(TAG.HOST_MAC, mac, 4, 32)) };
  },
});

export const purchaseUpload = codec<PurchaseUpload>({
  code: MSG.PURCHASE_UPLOAD, type: 'purchaseUpload', kind: 'request',
  encode: (w, m) => writePurchaseRecords(w, m.records),
  decode: (f) => ({ type: 'purchaseUpload', records: purchaseRecords(f) }),
});

export const purchaseUploadAck = codec<PurchaseUploadAck>({
  code: MSG.PURCHASE_UPLOAD_ACK, type: 'purchaseUploadAck', kind: 'response',
  // RESULT_CODE O (added later; an ack without it reads as before): the upload refused as a whole (PROTOCOL.md §6.3).
  encode: (w, m) => {
    if (m.resultCode !== undefined) w.u16(TAG.RESULT_CODE, m.resultCode);
    writeRecordResults(w, m.results);
  },
  decode: (f) => {
    const code = f.opt(TAG.RESULT_CODE);
    return { type: 'purchaseUploadAck', ...optional('resultCode', code && uint(TAG.RESULT_CODE, code, 2)), results: recordResults(f) };
  },
});

export const settleRequest = codec<SettleRequest>({
  code: MSG.SETTLE_REQUEST, type: 'settleRequest', kind: 'request',
  encode: (w, m) => {
    w.ascii(TAG.TERMINAL_ID, m.terminalId);
    writePurchaseRecords(w, m.records);
  },
  decode: (f) => ({ type: 'settleRequest', terminalId: terminalId(f), records: purchaseRecords(f) }),
});

export const settleRefused = codec<SettleRefused>({
  code: MSG.SETTLE_REFUSED, type: 'settleRefused', kind: 'response',
  encode: (w, m) => void w.u16(TAG.RESULT_CODE, m.resultCode),
  decode: (f) => ({ type: 'settleRefused', resultCode: uint(TAG.RESULT_CODE, f.one(TAG.RESULT_CODE), 2) }),
});

export const awaitCallback = codec<AwaitCallback>({
  code: MSG.AWAIT_CALLBACK, type: 'awaitCallback', kind: 'response',
  encode: (w, m) => void w.bytes(TAG.CALLBACK_TOKEN, m.token).u32(TAG.WAIT_MS, m.waitMs),
  decode: (f) => ({
    type: 'awaitCallback',
    token: fixed(TAG.CALLBACK_TOKEN, f.one(TAG.CALLBACK_TOKEN), 16),
    waitMs: uint(TAG.WAIT_MS, f.one(TAG.WAIT_MS), 4),
  }),
});

export const settlementInstruction = codec<SettlementInstruction>({
  code: MSG.SETTLEMENT_INSTRUCTION, type: 'settlementInstruction', kind: 'request',
  encode: (w, m) => {
    writeBankAccount(w, m);
    w.bytes(TAG.SECURITY_CODE, m.securityCode).u64(TAG.AMOUNT_MINOR, m.totalMinor).ascii(TAG.CURRENCY, m.currency);
    writeRecordResults(w, m.results);
  },
  decode: (f) => ({
    type: 'settlementInstruction',
    ...bankAccount(f),
    securityCode: sealed(f, TAG.SECURITY_CODE),
    totalMinor: amount(f),
    currency: currency(f),
    results: recordResults(f),
  }),
});

export const settlementAck = codec<SettlementAck>({
  code: MSG.SETTLEMENT_ACK, type: 'settlementAck', kind: 'response',
  encode: (w, m) => {
    for (const k of m.erased) w.nested(TAG.RECORD_KEY, (n) => writeRecordKey(n, k));
  },
  decode: (f) => ({
    type: 'settlementAck',
    erased: f.nested(TAG.RECORD_KEY, PROTOCOL_LIMITS.recordsPerFrameMax).map((n) => {
      const k = recordKey(n);
      n.done();
      return k;
    }),
  }),
});
