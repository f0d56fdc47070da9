/**
 * pause()/resume(): during a handshake the channel takes one frame at a time,
 * so the frame after AUTH_OK is checked against the limit set after AUTH_OK.
 */
import { describe, expect, it } from 'vitest';
import { FrameDecoder, type RawFrame } from '../../../protocol/frame/decoder.js';
import { RECORD_STATUS } from '../../../protocol/codes.js';
import { encodeFrame } from '../../../protocol/frame/encoder.js';
import { PROTOCOL_LIMITS } from '../../../protocol/limits.js';

const { handshakeFrameBytesMax, frameBytesMax } = PROTOCOL_LIMITS;
const small = encodeFrame({ type: 'ping' }, { seq: 0, requestId: 0, response: false });
const results = Array.from({ length: 40 }, (_, i) => ({ mediumId: Buffer.alloc(8, i), cardCounter: i, status: RECORD_STATUS.ACCEPTED }));
const big = encodeFrame(
  { type: 'settlementInstruction', bankCode: '0001', branchCode: '001', accountNumber: '1234567', securityCode: Buffer.alloc(40, 1), totalMinor: 4_000, currency: 'JPY', results },
  { seq: 0, requestId: 0, response: false },
);

describe('FrameDecoder pause/resume', () => {
  it('holds the next frame unchecked while paused and judges it by the limit in force at resume', () => {
    expect(big.length).toBeGreaterThan(handshakeFrameBytesMax);
    const d = new FrameDecoder(handshakeFrameBytesMax);
    const got: RawFrame[] = [];
    const onFrame = (f: RawFrame): void => {
      got.push(f);
      d.pause();
    };
    d.push(Buffer.concat([small, big]), onFrame);
    expect(got).toHaveLength(1);
    expect(d.pendingBytes).toBe(big.length);
    d.setMaxFrameBytes(frameBytesMax);
    d.resume((f) => got.push(f));
    expect(got).toHaveLength(2);
    expect(got[1]!.header.bodyLength).toBe(big.length - 18);
  });

  it('without a raised limit the held frame is still refused at resume', () => {
    const d = new FrameDecoder(handshakeFrameBytesMax);
    d.push(Buffer.concat([small, big]), () => d.pause());
    expect(() => d.resume(() => undefined)).toThrow(expect.objectContaining({ code: 'PROTO_FRAME_TOO_LARGE' }));
  });

  it('bounds what a paused decoder holds', () => {
    const d = new FrameDecoder(handshakeFrameBytesMax);
    d.push(small, () => d.pause());
    d.push(small, () => undefined);
    const flood = Buffer.alloc(frameBytesMax + handshakeFrameBytesMax);
    expect(() => d.push(flood, () => undefined)).toThrow(expect.objectContaining({ code: 'PROTO_UNEXPECTED_MESSAGE' }));
  });
});
