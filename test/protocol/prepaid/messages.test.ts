/** PREPAID_REQUEST / RESULT / CONFIRM / CONFIRM_RESULT bodies (PROTOCOL.md §6.4): the presentation rule and the sizes. */
import { describe, expect, it } from 'vitest';
import { MSG, PREPAID_STATUS, TAG } from '../../../protocol/codes.js';
import { decodeBody, encodeBodyToBuffer } from '../../../protocol/messages/catalog.js';
import type { Message } from '../../../protocol/messages/types.js';
import { TlvWriter } from '../../../protocol/tlv/writer.js';
import { ByteWriter } from '../../../protocol/bytes/writer.js';

const id = Buffer.alloc(16, 0x11);
const mediumId = Buffer.alloc(16, 0x22);
const proof = Buffer.alloc(16, 0x33);
const body = (fill: (w: TlvWriter) => void): Buffer => {
  const out = new ByteWriter(64);
  fill(new TlvWriter(out));
  return out.toBuffer();
};
const codeOf = (f: () => unknown): string | undefined => {
  try {
    f();
    return undefined;
  } catch (e) {
    return (e as { code?: string }).code;
  }
};
const head = (w: TlvWriter): TlvWriter => w.bytes(TAG.TRANSACTION_ID, id).u64(TAG.AMOUNT_MINOR, 500).ascii(TAG.CURRENCY, 'JPY');

describe('prepaid message bodies', () => {
  const messages: Message[] = [
    { type: 'prepaidRequest', transactionId: id, amountMinor: 500, currency: 'JPY', mediumId, generation: 7, mediumProof: proof, service: 1, vendorId: 'PROV-1' },
    { type: 'prepaidRequest', transactionId: id, amountMinor: 0, currency: 'JPY', prepaidInfo: Buffer.alloc(300, 1), service: 4 },
    { type: 'prepaidResult', transactionId: id, status: PREPAID_STATUS.RESUME, resultCode: 0, balanceMinor: 0, generation: 8, sealedFile: Buffer.alloc(28 + 4096, 9), receipt: Buffer.alloc(0) },
    { type: 'prepaidResult', transactionId: id, status: PREPAID_STATUS.REPEATED, resultCode: 0, prepaidInfo: Buffer.alloc(200, 5), generation: 2 },
    { type: 'prepaidConfirm', transactionId: id, mediumId, generation: 0xffffffff, mediumProof: proof },
    { type: 'prepaidConfirmResult', transactionId: id, status: PREPAID_STATUS.CURRENT, resultCode: 0, balanceMinor: 9, generation: 3 },
    { type: 'prepaidConfirmResult', transactionId: id, status: PREPAID_STATUS.REFUSED, resultCode: 0x040d },
  ];
  it.each(messages.map((m, i) => [i, m] as const))('message %i round-trips', (_i, m) => {
    const b = encodeBodyToBuffer(m);
    const code = m.type === 'prepaidRequest' ? MSG.PREPAID_REQUEST : m.type === 'prepaidResult' ? MSG.PREPAID_RESULT : m.type === 'prepaidConfirm' ? MSG.PREPAID_CONFIRM : MSG.PREPAID_CONFIRM_RESULT;
    expect(decodeBody(code, b)).toEqual(m);
  });

  it('shows the medium exactly once: file or (id, generation, proof)', () => {
    const tail = (w: TlvWriter) => w.u8(TAG.SERVICE, 4);
    const both = body((w) => tail(head(w).bytes(TAG.PREPAID_INFO, Buffer.alloc(10)).bytes(TAG.PREPAID_MEDIUM_ID, mediumId).u32(TAG.GENERATION, 1).bytes(TAG.MEDIUM_PROOF, proof)));
    const none = body((w) => tail(head(w)));
    const noGen = body((w) => tail(head(w).bytes(TAG.PREPAID_MEDIUM_ID, mediumId).bytes(TAG.MEDIUM_PROOF, proof)));
    const shortId = body((w) => tail(head(w).bytes(TAG.PREPAID_MEDIUM_ID, Buffer.alloc(8)).u32(TAG.GENERATION, 1).bytes(TAG.MEDIUM_PROOF, proof)));
    const longProof = body((w) => tail(head(w).bytes(TAG.PREPAID_MEDIUM_ID, mediumId).u32(TAG.GENERATION, 1).bytes(TAG.MEDIUM_PROOF, Buffer.alloc(32))));
    expect(codeOf(() => decodeBody(MSG.PREPAID_REQUEST, both))).toBe('PROTO_TLV_BAD_VALUE');
    expect(codeOf(() => decodeBody(MSG.PREPAID_REQUEST, none))).toBe('PROTO_TLV_MISSING_TAG');
    expect(codeOf(() => decodeBody(MSG.PREPAID_REQUEST, noGen))).toBe('PROTO_TLV_MISSING_TAG');
    expect(codeOf(() => decodeBody(MSG.PREPAID_REQUEST, shortId))).toBe('PROTO_TLV_BAD_VALUE');
    expect(codeOf(() => decodeBody(MSG.PREPAID_REQUEST, longProof))).toBe('PROTO_TLV_BAD_VALUE');
    const confirmNone = body((w) => w.bytes(TAG.TRANSACTION_ID, id));
    expect(codeOf(() => decodeBody(MSG.PREPAID_CONFIRM, confirmNone))).toBe('PROTO_TLV_MISSING_TAG');
  });

  it('refuses a status outside PREPAID_STATUS and a sealed file outside 28-4124 bytes', () => {
    const res = (status: number, sealed?: Buffer) => body((w) => {
      w.bytes(TAG.TRANSACTION_ID, id).u8(TAG.STATUS, status).u16(TAG.RESULT_CODE, 0);
      if (sealed) w.bytes(TAG.SEALED_FILE, sealed);
    });
    expect(codeOf(() => decodeBody(MSG.PREPAID_RESULT, res(6)))).toBe('PROTO_TLV_BAD_VALUE');
    expect(codeOf(() => decodeBody(MSG.PREPAID_CONFIRM_RESULT, res(5)))).toBeUndefined();
    expect(codeOf(() => decodeBody(MSG.PREPAID_RESULT, res(0, Buffer.alloc(27))))).toBe('PROTO_TLV_BAD_VALUE');
    expect(codeOf(() => decodeBody(MSG.PREPAID_RESULT, res(0, Buffer.alloc(4125))))).toBe('PROTO_TLV_BAD_VALUE');
    // RECEIPT belongs to PREPAID_RESULT only.
    const confirmWithReceipt = body((w) => w.bytes(TAG.TRANSACTION_ID, id).u8(TAG.STATUS, 0).u16(TAG.RESULT_CODE, 0).bytes(TAG.RECEIPT, Buffer.alloc(3)));
    expect(codeOf(() => decodeBody(MSG.PREPAID_CONFIRM_RESULT, confirmWithReceipt))).toBe('PROTO_TLV_UNKNOWN_TAG');
  });
});
