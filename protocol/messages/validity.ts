/** Validity check and transaction messages (seed 001; PROTOCOL.md §6.2). */
import { MSG, NAK_REASON, PENDING_CHECK, TAG, TX_KIND } from '../codes.js';
import { flag, oneOf, uint } from '../tlv/fields.js';
import { codec } from './codec.js';
import { amount, currency, mediumId, outcome, terminalId, txId, writeOutcome } from './fields.js';
import type { TransactionRequest, TransactionResult, ValidityAck, ValidityEarlyAck, ValidityNak, ValidityRequest } from './types.js';

export const validityRequest = codec<ValidityRequest>({
  code: MSG.VALIDITY_REQUEST, type: 'validityRequest', kind: 'request',
  encode: (w, m) => void w.ascii(TAG.TERMINAL_ID, m.terminalId).bytes(TAG.MEDIUM_ID, m.mediumId),
  decode: (f) => ({ type: 'validityRequest', terminalId: terminalId(f), mediumId: mediumId(f) }),
});

export const validityAck = codec<ValidityAck>({
  code: MSG.VALIDITY_ACK, type: 'validityAck', kind: 'response',
  encode: () => undefined,
  decode: () => ({ type: 'validityAck' }),
});

export const validityEarlyAck = codec<ValidityEarlyAck>({
  code: MSG.VALIDITY_EARLY_ACK, type: 'validityEarlyAck', kind: 'response',
  encode: (w, m) => void w.u8(TAG.REASON, m.pending),
  decode: (f) => ({ type: 'validityEarlyAck', pending: oneOf(TAG.REASON, uint(TAG.REASON, f.one(TAG.REASON), 1), PENDING_CHECK) }),
});

export const validityNak = codec<ValidityNak>({
  code: MSG.VALIDITY_NAK, type: 'validityNak', kind: 'response',
  encode: (w, m) => void w.u8(TAG.REASON, m.reason).u8(TAG.CAPTURE, m.capture ? 1 : 0),
  decode: (f) => ({
    type: 'validityNak',
    reason: oneOf(TAG.REASON, uint(TAG.REASON, f.one(TAG.REASON), 1), NAK_REASON),
    capture: flag(TAG.CAPTURE, f.one(TAG.CAPTURE)),
  }),
});

export const transactionRequest = codec<TransactionRequest>({
  code: MSG.TRANSACTION_REQUEST, type: 'transactionRequest', kind: 'request',
  encode: (w, m) => {
    w.bytes(TAG.TRANSACTION_ID, m.transactionId).u8(TAG.KIND, m.kind);
    w.u64(TAG.AMOUNT_MINOR, m.amountMinor).ascii(TAG.CURRENCY, m.currency);
    if (m.content.length > 0) w.nested(TAG.CONTENT, (n) => n.raw(m.content));
  },
  decode: (f) => ({
    type: 'transactionRequest',
    transactionId: txId(f),
    kind: oneOf(TAG.KIND, uint(TAG.KIND, f.one(TAG.KIND), 1), TX_KIND),
    amountMinor: amount(f),
    currency: currency(f),
    content: f.rawList(TAG.CONTENT).map((t) => ({ tag: t.tag, value: Buffer.from(t.value) })),
  }),
});

export const transactionResult = codec<TransactionResult>({
  code: MSG.TRANSACTION_RESULT, type: 'transactionResult', kind: 'response',
  encode: (w, m) => writeOutcome(w, m),
  decode: (f) => ({ type: 'transactionResult', ...outcome(f) }),
});
