/**
 * PREPAID_ISSUE / PREPAID_ISSUE_RESULT (0x34/0x35, PROTOCOL.md §6.4): the
 * prepaid terminal asks the prepaid center for a new medium paid in cash
 * (the stacked notes) or by a purse-card debit record, and gets generation
 * 1's file to write.
 */
import { MSG, TAG } from '../codes.js';
import { protoError } from '../errors.js';
import { PROTOCOL_LIMITS } from '../limits.js';
import { fixed, sized, uint64, type TlvFields } from '../tlv/fields.js';
import type { TlvWriter } from '../tlv/writer.js';
import { codec } from './codec.js';
import { amount, currency, optional, optU64, outcome, purchaseRecords, txId, writeOutcome, writePurchaseRecords } from './fields.js';
import type { CashNote, PrepaidIssue, PrepaidIssueResult } from './types.js';

/**
 * A prepaid medium id: 16 bytes, whichever tag carries it (PREPAID_MEDIUM_ID
 * 9F30 in PREPAID_REQUEST/CONFIRM, ISSUED_MEDIUM_ID 9F34 in
 * PREPAID_ISSUE_RESULT: one value, two tags kept for version-1 peers,
 * PROTOCOL.md §6.4 "One medium id, two tags").
 */
export const PREPAID_MEDIUM_ID_BYTES = 16;
/** PREPAID_INFO: the opaque prepaid information file (docs/MEDIUM.md). */
const PREPAID_INFO_BYTES = [1, 4096] as const;

function writeNotes(w: TlvWriter, notes: readonly CashNote[]): void {
  for (const n of notes) {
    w.nested(TAG.CASH_NOTE, (c) => {
      c.bytes(TAG.NOTE_KEY, n.noteKey).u64(TAG.AMOUNT_MINOR, n.amountMinor).ascii(TAG.CURRENCY, n.currency).u64(TAG.STACKED_AT_MS, n.stackedAtMs);
    });
  }
}

function readNotes(f: TlvFields): CashNote[] {
  return f.nested(TAG.CASH_NOTE, PROTOCOL_LIMITS.notesPerReportMax).map((c): CashNote => {
    const n = { noteKey: fixed(TAG.NOTE_KEY, c.one(TAG.NOTE_KEY), 16), amountMinor: amount(c), currency: currency(c), stackedAtMs: uint64(TAG.STACKED_AT_MS, c.one(TAG.STACKED_AT_MS)) };
    c.done();
    return n;
  });
}

export const prepaidIssue = codec<PrepaidIssue>({
  code: MSG.PREPAID_ISSUE, type: 'prepaidIssue', kind: 'request',
  encode: (w, m) => {
    w.bytes(TAG.TRANSACTION_ID, m.transactionId).u64(TAG.AMOUNT_MINOR, m.amountMinor).ascii(TAG.CURRENCY, m.currency);
    writeNotes(w, m.notes);
    if (m.purseRecord) writePurchaseRecords(w, [m.purseRecord]);
  },
  decode: (f) => {
    const head = { transactionId: txId(f), amountMinor: amount(f), currency: currency(f) };
    const notes = readNotes(f);
    const records = purchaseRecords(f);
    // Exactly one payment: the cash notes or one purse debit record.
    if (records.length > 1) throw protoError('PROTO_TLV_DUPLICATE_TAG', 'one purse record pays one issue', { tag: '0xa0' });
    if (notes.length === 0 && records.length === 0) throw protoError('PROTO_TLV_MISSING_TAG', 'an issue carries its payment: CASH_NOTE or RECORD', { tag: '0xa4' });
    if (notes.length > 0 && records.length > 0) throw protoError('PROTO_TLV_BAD_VALUE', 'an issue is paid in cash or by purse, not both', { tag: '0xa0' });
    return { type: 'prepaidIssue', ...head, notes, ...optional('purseRecord', records[0]) };
  },
});

export const prepaidIssueResult = codec<PrepaidIssueResult>({
  code: MSG.PREPAID_ISSUE_RESULT, type: 'prepaidIssueResult', kind: 'response',
  encode: (w, m) => {
    writeOutcome(w, m);
    w.optBytes(TAG.ISSUED_MEDIUM_ID, m.issuedMediumId).optBytes(TAG.PREPAID_INFO, m.prepaidInfo).optU64(TAG.BALANCE_MINOR, m.balanceMinor);
  },
  // Fields are checked in layout order (PROTOCOL.md §3.5): the first wrong one names the error.
  decode: (f) => {
    const head = outcome(f);
    const id = f.opt(TAG.ISSUED_MEDIUM_ID);
    const issuedMediumId = id && fixed(TAG.ISSUED_MEDIUM_ID, id, PREPAID_MEDIUM_ID_BYTES);
    const info = f.opt(TAG.PREPAID_INFO);
    const prepaidInfo = info && sized(TAG.PREPAID_INFO, info, PREPAID_INFO_BYTES[0], PREPAID_INFO_BYTES[1]);
    return {
      type: 'prepaidIssueResult',
      ...head,
      ...optional('issuedMediumId', issuedMediumId),
      ...optional('prepaidInfo', prepaidInfo),
      ...optional('balanceMinor', optU64(f, TAG.BALANCE_MINOR)),
    };
  },
});
