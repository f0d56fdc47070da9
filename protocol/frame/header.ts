/**
 * The fixed 18-byte frame header (PROTOCOL.md §2), big-endian:
 *   0  u16 magic 0x5453 "TS"   2 u8 version   3 u8 message code
 *   4  u16 flags               6 u32 sequence 10 u32 request id
 *   14 u32 body length
 */
import { FLAG_MAC, FLAGS_KNOWN, MAGIC, VERSION } from '../codes.js';
import { protoError } from '../errors.js';
import { PROTOCOL_LIMITS } from '../limits.js';

export interface FrameHeader {
  code: number;
  flags: number;
  seq: number;
  requestId: number;
  bodyLength: number;
}

/**
 * Checks whatever prefix of a header is available (at least 1 byte), so a
 * stream that is not Tessera fails at its first bytes, not after 18.
 */
export function checkHeaderPrefix(prefix: Buffer): void {
  if (prefix.length >= 1 && prefix[0] !== MAGIC >> 8) throw protoError('PROTO_BAD_MAGIC', 'bad magic');
  if (prefix.length >= 2 && prefix[1] !== (MAGIC & 0xff)) throw protoError('PROTO_BAD_MAGIC', 'bad magic');
  if (prefix.length >= 3 && prefix[2] !== VERSION) throw protoError('PROTO_BAD_VERSION', 'unsupported version', { version: prefix[2] });
  if (prefix.length >= 6 && (prefix.readUInt16BE(4) & ~FLAGS_KNOWN) !== 0) throw protoError('PROTO_BAD_HEADER', 'reserved flag bits set');
}

/** Parses a complete header (checked) from the first 18 bytes of `b`. */
export function readHeader(b: Buffer): FrameHeader {
  checkHeaderPrefix(b);
  const h: FrameHeader = {
    code: b[3] as number,
    flags: b.readUInt16BE(4),
    seq: b.readUInt32BE(6),
    requestId: b.readUInt32BE(10),
    bodyLength: b.readUInt32BE(14),
  };
  if ((h.flags & FLAG_MAC) === 0 && h.seq !== 0) throw protoError('PROTO_BAD_HEADER', 'unauthenticated frames carry sequence 0');
  if ((h.flags & FLAG_MAC) !== 0 && h.seq === 0) throw protoError('PROTO_BAD_HEADER', 'authenticated frames start at sequence 1');
  return h;
}

/** Total frame size the header announces (header + body + MAC when flagged). */
export function frameSize(h: FrameHeader): number {
  return PROTOCOL_LIMITS.headerBytes + h.bodyLength + ((h.flags & FLAG_MAC) !== 0 ? PROTOCOL_LIMITS.macBytes : 0);
}
