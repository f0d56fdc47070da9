import { assert } from '../../../core/assert.js';
import { DEVICE_LIMITS } from '../../limits.js';

/**
 * ccTalk framing (ccTalk Generic Specification, part 1, "message structure"):
 *
 *   [destination] [data length N] [source] [header] [data × N] [checksum]
 *
 * Simple checksum: all bytes of the frame, checksum included, sum to 0
 * modulo 256. A reply is addressed to the host (1) from the slave, header 0
 * (ACK) with the reply data, or 5 (NAK), 6 (BUSY). There is no start byte:
 * a receiver finds the frame boundary from the length byte, and resyncs by
 * dropping whatever it holds before a new request (`reset()`), which is the
 * spec's "inter-byte timeout" rule made explicit instead of timed.
 *
 * Not @serialport/parser-cctalk (v13, installed with serialport): it resyncs
 * on Date.now() (no injected clock), copies byte by byte into an array, and
 * does not check the checksum. Its framing rule (length byte + 5) is the same;
 * CcTalkLink hides which splitter is used.
 */
export interface CcTalkFrame {
  readonly destination: number;
  readonly source: number;
  readonly header: number;
  readonly data: Buffer;
}

/** ccTalk header numbers used here (ccTalk Generic Specification, part 3, "command headers"). */
export const CCTALK = {
  HOST_ADDRESS: 1,
  /** Reply headers. */
  ACK: 0,
  NAK: 5,
  BUSY: 6,
  /** Request headers. */
  SIMPLE_POLL: 254,
  REQUEST_EQUIPMENT_CATEGORY: 245,
  MODIFY_INHIBIT_STATUS: 231,
  MODIFY_MASTER_INHIBIT: 228,
  REQUEST_MASTER_INHIBIT: 227,
  READ_BUFFERED_BILL_EVENTS: 159,
  REQUEST_BILL_ID: 157,
  REQUEST_COUNTRY_SCALING: 156,
  ROUTE_BILL: 154,
  MODIFY_BILL_OPERATING_MODE: 153,
  RESET_DEVICE: 1,
} as const;

/** Header 154 route codes and its error replies. */
export const ROUTE = { RETURN: 0, STACK: 1, EXTEND_ESCROW: 255, ERR_ESCROW_EMPTY: 254, ERR_FAILED: 255 } as const;

export function checksum(bytes: Uint8Array): number {
  let sum = 0;
  for (const b of bytes) sum = (sum + b) & 0xff;
  return (256 - sum) & 0xff;
}

/** Encodes one frame; data at most 255 bytes, addresses and header 0-255 (programming errors otherwise). */
export function encodeFrame(f: CcTalkFrame): Buffer {
  assert(f.data.length <= 255, 'ccTalk data is at most 255 bytes');
  for (const b of [f.destination, f.source, f.header]) assert(Number.isInteger(b) && b >= 0 && b <= 255, 'ccTalk byte out of range');
  const out = Buffer.alloc(f.data.length + 5);
  out[0] = f.destination;
  out[1] = f.data.length;
  out[2] = f.source;
  out[3] = f.header;
  f.data.copy(out, 4);
  out[out.length - 1] = checksum(out.subarray(0, out.length - 1));
  return out;
}

export type Decoded = { readonly ok: true; readonly frame: CcTalkFrame } | { readonly ok: false; readonly reason: 'checksum'; readonly bytes: number };

/**
 * Splits a byte stream into ccTalk frames. push() returns every complete
 * frame in the bytes seen so far and keeps the remainder. A frame with a bad
 * checksum is reported (not returned as a frame) and everything held is
 * dropped: without a start byte the next boundary is unknowable until the
 * next request. The length byte bounds a frame at 260 bytes, checked before
 * a frame is copied.
 */
export class CcTalkFrameDecoder {
  private rest: Buffer = Buffer.alloc(0);

  /** Bytes held (an incomplete frame). */
  get pending(): number {
    return this.rest.length;
  }

  push(chunk: Buffer): Decoded[] {
    let buf = this.rest.length === 0 ? chunk : Buffer.concat([this.rest, chunk]);
    const out: Decoded[] = [];
    while (buf.length >= 2) {
      const total = buf[1]! + 5;
      assert(total <= DEVICE_LIMITS.cctalkFrameBytesMax, 'ccTalk length byte bounds the frame');
      if (buf.length < total) break;
      const bytes = buf.subarray(0, total);
      if (checksum(bytes.subarray(0, total - 1)) !== bytes[total - 1]) {
        out.push({ ok: false, reason: 'checksum', bytes: buf.length });
        buf = Buffer.alloc(0);
        break;
      }
      out.push({ ok: true, frame: { destination: bytes[0]!, source: bytes[2]!, header: bytes[3]!, data: Buffer.from(bytes.subarray(4, total - 1)) } });
      buf = buf.subarray(total);
    }
    this.rest = Buffer.from(buf);
    return out;
  }

  /** Drops a partial frame (before sending a new request: anything held is stale). */
  reset(): void {
    this.rest = Buffer.alloc(0);
  }
}
