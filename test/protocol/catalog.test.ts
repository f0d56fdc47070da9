import { describe, expect, it } from 'vitest';
import { isProtocolError } from '../../protocol/errors.js';
import { encodeFrame } from '../../protocol/frame/encoder.js';
import { PROTOCOL_LIMITS } from '../../protocol/limits.js';
import { CODECS, decodeBody, encodeBodyToBuffer, RESPONSES } from '../../protocol/messages/catalog.js';
import { MSG } from '../../protocol/codes.js';
import type { PurchaseRecord } from '../../protocol/messages/types.js';
import { FRAME_VECTORS } from './vectors.js';

const record = (n: number): PurchaseRecord => ({
  mediumId: Buffer.alloc(8, n & 0xff), cardCounter: n, amountMinor: 9_007_199_254_740_991, currency: 'JPY',
  terminalId: 'SHOP-0123456789A', terminalNonce: Buffer.alloc(8, 3), cardMac: Buffer.alloc(32, 4),
});

describe('message catalog', () => {
  it('has one codec per code in the code table, and a vector for every message type', () => {
    expect(CODECS.map((c) => c.code).sort((a, b) => a - b)).toEqual(Object.values(MSG).sort((a, b) => a - b));
    const covered = new Set(FRAME_VECTORS.map((v) => v.message.type));
    for (const c of CODECS) expect(covered.has(c.type)).toBe(true);
  });

  it('names only response-kind messages as answers', () => {
    const kindOf = new Map(CODECS.map((c) => [c.type as string, c.kind]));
    for (const [req, answers] of Object.entries(RESPONSES)) {
      expect(kindOf.get(req)).toBe('request');
      for (const a of answers) expect(kindOf.get(a)).toBe('response');
    }
  });

  it('a full settle request (PROTOCOL_LIMITS.recordsPerFrameMax largest records) fits one frame and round-trips', () => {
    const m = { type: 'settleRequest' as const, terminalId: 'SHOP-0123456789A', records: Array.from({ length: PROTOCOL_LIMITS.recordsPerFrameMax }, (_, i) => record(i)) };
    const frame = encodeFrame(m, { seq: 1, requestId: 1, response: false, macKey: Buffer.alloc(32) });
    expect(frame.length).toBeLessThanOrEqual(PROTOCOL_LIMITS.frameBytesMax);
    expect(decodeBody(MSG.SETTLE_REQUEST, encodeBodyToBuffer(m))).toEqual(m);
  });

  it('one record over the limit is PROTO_TLV_TOO_MANY', () => {
    const m = { type: 'purchaseUpload' as const, records: Array.from({ length: PROTOCOL_LIMITS.recordsPerFrameMax + 1 }, (_, i) => record(i)) };
    let code = 'ok';
    try {
      decodeBody(MSG.PURCHASE_UPLOAD, encodeBodyToBuffer(m));
    } catch (e) {
      code = isProtocolError(e) ? e.code : 'uncoded';
    }
    expect(code).toBe('PROTO_TLV_TOO_MANY');
  });
});
