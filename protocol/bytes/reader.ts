import { protoError, type ProtoErrorCode } from '../errors.js';

/**
 * Bounds-checked big-endian reader over [start, end) of a buffer. Every read
 * that would pass `end` throws a coded ProtocolError (never a RangeError),
 * and `bytes` returns views, never copies.
 */
export class ByteReader {
  private pos: number;

  constructor(
    private readonly buf: Buffer,
    start = 0,
    private readonly end = buf.length,
    private readonly shortCode: ProtoErrorCode = 'PROTO_TLV_TRUNCATED',
  ) {
    this.pos = start;
  }

  get offset(): number {
    return this.pos;
  }
  get remaining(): number {
    return this.end - this.pos;
  }

  private need(n: number): number {
    if (n > this.end - this.pos) throw protoError(this.shortCode, 'read past end', { need: n, have: this.remaining });
    const at = this.pos;
    this.pos += n;
    return at;
  }

  u8(): number {
    return this.buf[this.need(1)] as number;
  }
  u16(): number {
    return this.buf.readUInt16BE(this.need(2));
  }
  u32(): number {
    return this.buf.readUInt32BE(this.need(4));
  }
  /** u64 as a bigint (callers range-check before converting). */
  u64(): bigint {
    return this.buf.readBigUInt64BE(this.need(8));
  }
  bytes(n: number): Buffer {
    const at = this.need(n);
    return this.buf.subarray(at, at + n);
  }
}
