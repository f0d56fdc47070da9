/**
 * PREPAID_ISSUE / PREPAID_ISSUE_RESULT (PROTOCOL.md §6.4): the payment is
 * exactly one of the cash notes or one purse record (coded refusals for
 * neither, both, two records), the medium id is 16 bytes, and any valid
 * message round-trips. The byte-exact vectors are in test/protocol/vectors.ts.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MSG, TAG } from '../../../protocol/codes.js';
import { errorCode } from '../../../core/errors.js';
import { decodeBody, encodeBodyToBuffer } from '../../../protocol/messages/catalog.js';
import type { CashNote, PrepaidIssue, PrepaidIssueResult, PurchaseRecord } from '../../../protocol/messages/types.js';

const note = (n: number): CashNote => ({ noteKey: Buffer.alloc(16, n), amountMinor: 1000 * n, currency: 'JPY', stackedAtMs: 1_767_225_600_000 + n });
const record: PurchaseRecord = {
  mediumId: Buffer.from('0123456789abcdef', 'hex'), cardCounter: 4, amountMinor: 3000, currency: 'JPY', terminalId: 'KIOSK-01',
  terminalNonce: Buffer.alloc(8, 7), cardMac: Buffer.alloc(8, 9),
};
const issue = (o: Partial<PrepaidIssue>): PrepaidIssue => ({ type: 'prepaidIssue', transactionId: Buffer.alloc(16, 1), amountMinor: 3000, currency: 'JPY', notes: [], ...o });

function codeOf(body: Buffer): string {
  try {
    decodeBody(MSG.PREPAID_ISSUE, body);
    return 'ok';
  } catch (e) {
    return errorCode(e);
  }
}

describe('PREPAID_ISSUE payment', () => {
  it('round-trips a cash payment and a purse payment', () => {
    for (const m of [issue({ notes: [note(1), note(2)] }), issue({ purseRecord: record })]) {
      expect(decodeBody(MSG.PREPAID_ISSUE, encodeBodyToBuffer(m))).toEqual(m);
    }
  });

  it('refuses an issue with no payment, with both payments, and with two purse records', () => {
    expect(codeOf(encodeBodyToBuffer(issue({})))).toBe('PROTO_TLV_MISSING_TAG');
    expect(codeOf(encodeBodyToBuffer(issue({ notes: [note(3)], purseRecord: record })))).toBe('PROTO_TLV_BAD_VALUE');
    const two = Buffer.concat([encodeBodyToBuffer(issue({ purseRecord: record })), encodeBodyToBuffer(issue({ purseRecord: { ...record, cardCounter: 5 } })).subarray(encodeBodyToBuffer(issue({})).length)]);
    expect(codeOf(two)).toBe('PROTO_TLV_DUPLICATE_TAG');
  });

  it('refuses more notes than one report carries', () => {
    const notes = Array.from({ length: 201 }, (_, i) => ({ ...note(1), noteKey: Buffer.alloc(16, i) }));
    expect(codeOf(encodeBodyToBuffer(issue({ notes })))).toBe('PROTO_TLV_TOO_MANY');
  });
});

describe('PREPAID_ISSUE_RESULT', () => {
  const ok: PrepaidIssueResult = { type: 'prepaidIssueResult', transactionId: Buffer.alloc(16, 2), status: 0, resultCode: 0, issuedMediumId: Buffer.alloc(16, 3), prepaidInfo: Buffer.alloc(200, 4), balanceMinor: 3000 };

  it('round-trips an approval and a bare refusal', () => {
    expect(decodeBody(MSG.PREPAID_ISSUE_RESULT, encodeBodyToBuffer(ok))).toEqual(ok);
    const no: PrepaidIssueResult = { type: 'prepaidIssueResult', transactionId: Buffer.alloc(16, 2), status: 1, resultCode: 0x0417 };
    expect(decodeBody(MSG.PREPAID_ISSUE_RESULT, encodeBodyToBuffer(no))).toEqual(no);
  });

  it('refuses a medium id that is not 16 bytes (an 8-byte card id is not a prepaid medium)', () => {
    const body = encodeBodyToBuffer({ ...ok, issuedMediumId: Buffer.alloc(8, 3) });
    expect(() => decodeBody(MSG.PREPAID_ISSUE_RESULT, body)).toThrow(expect.objectContaining({ code: 'PROTO_TLV_BAD_VALUE' }));
  });

  it('names the issued medium with ISSUED_MEDIUM_ID 9F34, not PREPAID_MEDIUM_ID 9F30: the same 16-byte value, but 9F30 in this version-1 message is an unknown tag to every peer that speaks it (PROTOCOL.md §6.4, "One medium id, two tags")', () => {
    const body = encodeBodyToBuffer(ok);
    const at = body.indexOf(Buffer.from('9f3410', 'hex'));
    expect(at).toBeGreaterThan(0);
    expect(body.subarray(at + 3, at + 19).equals(ok.issuedMediumId!)).toBe(true);
    const renamed = Buffer.from(body);
    renamed[at + 1] = 0x30;
    expect(() => decodeBody(MSG.PREPAID_ISSUE_RESULT, renamed)).toThrow(expect.objectContaining({ code: 'PROTO_TLV_UNKNOWN_TAG' }));
    expect(TAG.ISSUED_MEDIUM_ID).not.toBe(TAG.PREPAID_MEDIUM_ID);
  });

  it('round-trips any valid result (property)', () => {
    fc.assert(fc.property(
      fc.record({ id: fc.uint8Array({ minLength: 16, maxLength: 16 }), info: fc.uint8Array({ minLength: 1, maxLength: 4096 }), bal: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }) }),
      ({ id, info, bal }) => {
        const m: PrepaidIssueResult = { ...ok, issuedMediumId: Buffer.from(id), prepaidInfo: Buffer.from(info), balanceMinor: bal };
        expect(decodeBody(MSG.PREPAID_ISSUE_RESULT, encodeBodyToBuffer(m))).toEqual(m);
      },
    ), { numRuns: 50 });
  });
});
