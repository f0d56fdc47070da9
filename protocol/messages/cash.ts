/** Cash taken by a terminal's bill validator: notes stacked, cash box collected (issue 9; PROTOCOL.md §6.7). */
import { PROTOCOL_LIMITS } from '../limits.js';
import { MSG, TAG } from '../codes.js';
import { fixed, uint, uint64 } from '../tlv/fields.js';
import { codec } from './codec.js';
import { amount, currency, outcome, txId, writeOutcome } from './fields.js';
import type { CashCollectionReport, CashNote, CashNotesReport, CashResult } from './types.js';

export const cashNotesReport = codec<CashNotesReport>({
  code: MSG.CASH_NOTES_REPORT, type: 'cashNotesReport', kind: 'request',
  encode: (w, m) => {
    w.bytes(TAG.TRANSACTION_ID, m.transactionId);
    for (const n of m.notes) {
      w.nested(TAG.CASH_NOTE, (c) => {
        c.bytes(TAG.NOTE_KEY, n.noteKey).u64(TAG.AMOUNT_MINOR, n.amountMinor).ascii(TAG.CURRENCY, n.currency).u64(TAG.STACKED_AT_MS, n.stackedAtMs);
      });
    }
  },
  decode: (f) => ({
    type: 'cashNotesReport',
    transactionId: txId(f),
    notes: f.nested(TAG.CASH_NOTE, PROTOCOL_LIMITS.notesPerReportMax).map((c): CashNote => {
      const n = {
        noteKey: fixed(TAG.NOTE_KEY, c.one(TAG.NOTE_KEY), 16),
        amountMinor: amount(c),
        currency: currency(c),
        stackedAtMs: uint64(TAG.STACKED_AT_MS, c.one(TAG.STACKED_AT_MS)),
      };
      c.done();
      return n;
    }),
  }),
});

export const cashCollection = codec<CashCollectionReport>({
  code: MSG.CASH_COLLECTION, type: 'cashCollection', kind: 'request',
  encode: (w, m) => {
    w.bytes(TAG.TRANSACTION_ID, m.transactionId).ascii(TAG.CURRENCY, m.currency).u32(TAG.NOTE_COUNT, m.noteCount).u64(TAG.AMOUNT_MINOR, m.amountMinor);
    for (const k of m.noteKeys) w.bytes(TAG.NOTE_KEY, k);
  },
  decode: (f) => ({
    type: 'cashCollection',
    transactionId: txId(f),
    currency: currency(f),
    noteCount: uint(TAG.NOTE_COUNT, f.one(TAG.NOTE_COUNT), 4),
    amountMinor: amount(f),
    noteKeys: f.many(TAG.NOTE_KEY, PROTOCOL_LIMITS.notesPerCollectionMax).map((k) => fixed(TAG.NOTE_KEY, k, 16)),
  }),
});

export const cashResult = codec<CashResult>({
  code: MSG.CASH_RESULT, type: 'cashResult', kind: 'response',
  encode: (w, m) => writeOutcome(w, m),
  decode: (f) => ({ type: 'cashResult', ...outcome(f) }),
});
