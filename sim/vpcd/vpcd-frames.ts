import { assert } from '../../core/assert.js';
import { SIM_LIMITS } from '../limits.js';

/** vpcd control messages (1-byte bodies) sent by the driver to the virtual card. */
export const VPCD_CONTROL = {
  /** 0: power off. */
  powerOff: 0,
  /** 1: power on. */
  powerOn: 1,
  /** 2: reset (answer nothing; the driver asks for the ATR next). */
  reset: 2,
  /** 4: get ATR (answer with the ATR). */
  getAtr: 4,
} as const;

/**
 * Encodes one vpcd message: 2-byte big-endian length, then the body, in ONE
 * buffer so it goes out in one write (two writes on a Nagle socket cost a
 * delayed-ACK round, ~40 ms).
 */
export function encodeVpcdMessage(body: Uint8Array): Buffer {
  assert(body.length <= SIM_LIMITS.vpcdMessageBytesMax, 'vpcd message too long');
  const out = Buffer.allocUnsafe(2 + body.length);
  out.writeUInt16BE(body.length, 0);
  out.set(body, 2);
  return out;
}

/**
 * Splits the driver's byte stream into messages. Keeps the remainder between
 * chunks; the 16-bit length is bounded by construction, so no message can
 * exceed vpcdMessageBytesMax. Loops, never recurses.
 */
export class VpcdFrameDecoder {
  private pending: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Buffer[] {
    const data = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const out: Buffer[] = [];
    let offset = 0;
    while (data.length - offset >= 2) {
      const length = data.readUInt16BE(offset);
      if (data.length - offset - 2 < length) break;
      out.push(Buffer.from(data.subarray(offset + 2, offset + 2 + length)));
      offset += 2 + length;
    }
    this.pending = Buffer.from(data.subarray(offset));
    return out;
  }
}
