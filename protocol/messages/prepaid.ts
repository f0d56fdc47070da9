/**
 * Rewritable-medium prepaid (seed 000; PROTOCOL.md §6.4): the provider center
 * (or a prepaid terminal) asks the prepaid center for a service or a balance
 * (PREPAID_REQUEST) and confirms the generation a medium holds
 * (PREPAID_CONFIRM). The medium is shown either by its whole file
 * (PREPAID_INFO: a prepaid terminal, the operator) or by its id, the
 * generation it shows and a proof keyed from that file (the provider center:
 * the file itself never leaves the user's PC). A file sent back to a proof
 * is sealed to the holder of the file shown (SEALED_FILE).
 *
 * The body of 0x30/0x31 keeps the field order of the first sketch, so its
 * vectors (a request showing the file) decode unchanged.
 */
import { MSG, PREPAID_SERVICE, PREPAID_STATUS, TAG } from '../codes.js';
import { protoError } from '../errors.js';
import { fixed, oneOf, sized, uint, type TlvFields } from '../tlv/fields.js';
import type { TlvWriter } from '../tlv/writer.js';
import { codec } from './codec.js';
import { PREPAID_MEDIUM_ID_BYTES } from './prepaid-issue.js';
import { ID_RE, amount, currency, optAscii, optU64, optional, txId } from './fields.js';
import type { PrepaidConfirm, PrepaidConfirmResult, PrepaidOutcome, PrepaidRequest, PrepaidResult, PrepaidShown } from './types.js';

/** PREPAID_INFO: a whole prepaid information file (docs/MEDIUM.md; today at most 1,638 bytes). */
const PREPAID_INFO_BYTES = [1, 4096] as const;
/** SEALED_FILE: nonce 12 ‖ AES-256-GCM(file) ‖ tag 16 (PROTOCOL.md §6.4). */
const SEALED_FILE_BYTES = [12 + 16, 12 + 4096 + 16] as const;

const info = (f: TlvFields): Buffer | undefined => {
  const v = f.opt(TAG.PREPAID_INFO);
  return v && sized(TAG.PREPAID_INFO, v, PREPAID_INFO_BYTES[0], PREPAID_INFO_BYTES[1]);
};
const generation = (f: TlvFields): number => uint(TAG.GENERATION, f.one(TAG.GENERATION), 4);
const optGeneration = (f: TlvFields): number | undefined => {
  const v = f.opt(TAG.GENERATION);
  return v === undefined ? undefined : uint(TAG.GENERATION, v, 4);
};

/** The medium shown: its file, or (medium id, generation, proof). Exactly one. */
function shown(f: TlvFields): PrepaidShown {
  const file = info(f);
  const id = f.opt(TAG.PREPAID_MEDIUM_ID);
  if (file !== undefined) {
    if (id !== undefined) throw protoError('PROTO_TLV_BAD_VALUE', 'the medium is shown once: its file or its proof', { tag: '9f30' });
    return { prepaidInfo: file };
  }
  if (id === undefined) throw protoError('PROTO_TLV_MISSING_TAG', 'the medium is shown by PREPAID_INFO or PREPAID_MEDIUM_ID', { tag: '99' });
  return {
    mediumId: fixed(TAG.PREPAID_MEDIUM_ID, id, PREPAID_MEDIUM_ID_BYTES),
    generation: generation(f),
    mediumProof: fixed(TAG.MEDIUM_PROOF, f.one(TAG.MEDIUM_PROOF), 16),
  };
}
function writeShown(w: TlvWriter, s: PrepaidShown): void {
  if ('prepaidInfo' in s) w.bytes(TAG.PREPAID_INFO, s.prepaidInfo);
  else w.bytes(TAG.PREPAID_MEDIUM_ID, s.mediumId).u32(TAG.GENERATION, s.generation).bytes(TAG.MEDIUM_PROOF, s.mediumProof);
}

/** The head of both prepaid answers: STATUS from PREPAID_STATUS (0 done / 1 refused as everywhere). */
function prepaidOutcome(f: TlvFields): PrepaidOutcome {
  return {
    transactionId: txId(f),
    status: oneOf(TAG.STATUS, uint(TAG.STATUS, f.one(TAG.STATUS), 1), PREPAID_STATUS),
    resultCode: uint(TAG.RESULT_CODE, f.one(TAG.RESULT_CODE), 2),
  };
}
function writePrepaidOutcome(w: TlvWriter, m: PrepaidOutcome): void {
  w.bytes(TAG.TRANSACTION_ID, m.transactionId).u8(TAG.STATUS, m.status).u16(TAG.RESULT_CODE, m.resultCode);
}

/** The tail both answers share, in layout order: file in clear, balance, generation, sealed file. */
function fileTail(f: TlvFields): { prepaidInfo?: Buffer; balanceMinor?: number; generation?: number; sealedFile?: Buffer } {
  const prepaidInfo = info(f);
  const balanceMinor = optU64(f, TAG.BALANCE_MINOR);
  const gen = optGeneration(f);
  const s = f.opt(TAG.SEALED_FILE);
  return {
    ...optional('prepaidInfo', prepaidInfo),
    ...optional('balanceMinor', balanceMinor),
    ...optional('generation', gen),
    ...optional('sealedFile', s && sized(TAG.SEALED_FILE, s, SEALED_FILE_BYTES[0], SEALED_FILE_BYTES[1])),
  };
}
function writeFileTail(w: TlvWriter, m: { prepaidInfo?: Buffer; balanceMinor?: number; generation?: number; sealedFile?: Buffer }): void {
  w.optBytes(TAG.PREPAID_INFO, m.prepaidInfo).optU64(TAG.BALANCE_MINOR, m.balanceMinor);
  if (m.generation !== undefined) w.u32(TAG.GENERATION, m.generation);
  w.optBytes(TAG.SEALED_FILE, m.sealedFile);
}

export const prepaidRequest = codec<PrepaidRequest>({
  code: MSG.PREPAID_REQUEST, type: 'prepaidRequest', kind: 'request',
  encode: (w, m) => {
    w.bytes(TAG.TRANSACTION_ID, m.transactionId).u64(TAG.AMOUNT_MINOR, m.amountMinor).ascii(TAG.CURRENCY, m.currency);
    writeShown(w, m);
    w.u8(TAG.SERVICE, m.service).optAscii(TAG.VENDOR_ID, m.vendorId);
  },
  // Fields are checked in layout order (PROTOCOL.md §3.5): the first wrong one names the error.
  decode: (f) => {
    const head = { transactionId: txId(f), amountMinor: amount(f), currency: currency(f) };
    const s = shown(f);
    return {
      type: 'prepaidRequest',
      ...head,
      ...s,
      service: oneOf(TAG.SERVICE, uint(TAG.SERVICE, f.one(TAG.SERVICE), 1), PREPAID_SERVICE),
      ...optional('vendorId', optAscii(f, TAG.VENDOR_ID, ID_RE)),
    };
  },
});

export const prepaidResult = codec<PrepaidResult>({
  code: MSG.PREPAID_RESULT, type: 'prepaidResult', kind: 'response',
  encode: (w, m) => {
    writePrepaidOutcome(w, m);
    writeFileTail(w, m);
    w.optBytes(TAG.RECEIPT, m.receipt);
  },
  decode: (f) => {
    const head = prepaidOutcome(f);
    const tail = fileTail(f);
    const receipt = f.opt(TAG.RECEIPT);
    return { type: 'prepaidResult', ...head, ...tail, ...optional('receipt', receipt && sized(TAG.RECEIPT, receipt, 0, 1024)) };
  },
});

export const prepaidConfirm = codec<PrepaidConfirm>({
  code: MSG.PREPAID_CONFIRM, type: 'prepaidConfirm', kind: 'request',
  encode: (w, m) => {
    w.bytes(TAG.TRANSACTION_ID, m.transactionId);
    writeShown(w, m);
  },
  decode: (f) => {
    const transactionId = txId(f);
    return { type: 'prepaidConfirm', transactionId, ...shown(f) };
  },
});

export const prepaidConfirmResult = codec<PrepaidConfirmResult>({
  code: MSG.PREPAID_CONFIRM_RESULT, type: 'prepaidConfirmResult', kind: 'response',
  encode: (w, m) => {
    writePrepaidOutcome(w, m);
    writeFileTail(w, m);
  },
  decode: (f) => {
    const head = prepaidOutcome(f);
    return { type: 'prepaidConfirmResult', ...head, ...fileTail(f) };
  },
});
