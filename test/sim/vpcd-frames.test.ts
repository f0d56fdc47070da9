import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeVpcdMessage, VpcdFrameDecoder } from '../../sim/vpcd/vpcd-frames.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

// A driver stream: get-ATR control, then a SELECT APDU, then power off.
const STREAM = hex(
  '0001 04' + //                                   length 1, control 4 (get ATR)
    '000e 00a4040009f05445535345524101' + //       length 14, SELECT (without Le)
    '0001 00', //                                  length 1, control 0 (power off)
);
const MESSAGES = ['04', '00a4040009f05445535345524101', '00'];

describe('vpcd framing', () => {
  it('encodes length and body in one buffer', () => {
    expect(encodeVpcdMessage(hex('3b88800154455353455241014f')).toString('hex')).toBe('000d' + '3b88800154455353455241014f');
  });

  it('decodes a stream split at every byte offset', () => {
    for (let cut = 0; cut <= STREAM.length; cut++) {
      const decoder = new VpcdFrameDecoder();
      const out = [...decoder.push(STREAM.subarray(0, cut)), ...decoder.push(STREAM.subarray(cut))];
      expect(out.map((m) => m.toString('hex'))).toEqual(MESSAGES);
    }
  });

  it('decodes a stream fed one byte at a time and keeps an incomplete remainder', () => {
    const decoder = new VpcdFrameDecoder();
    const out: Buffer[] = [];
    for (const b of STREAM.subarray(0, STREAM.length - 1)) out.push(...decoder.push(Buffer.from([b])));
    expect(out.map((m) => m.toString('hex'))).toEqual(MESSAGES.slice(0, 2));
    expect(decoder.push(STREAM.subarray(STREAM.length - 1)).map((m) => m.toString('hex'))).toEqual(['00']);
  });

  it('round-trips random messages under random chunking (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 20 }), fc.array(fc.nat(50), { maxLength: 40 }), (bodies, cuts) => {
        const stream = Buffer.concat(bodies.map((b) => encodeVpcdMessage(b)));
        const decoder = new VpcdFrameDecoder();
        const out: Buffer[] = [];
        let at = 0;
        for (const c of cuts) {
          out.push(...decoder.push(stream.subarray(at, Math.min(stream.length, at + c))));
          at = Math.min(stream.length, at + c);
        }
        out.push(...decoder.push(stream.subarray(at)));
        expect(out.map((m) => m.toString('hex'))).toEqual(bodies.map((b) => Buffer.from(b).toString('hex')));
      }),
    );
  });
});
