import { assert } from '../../core/assert.js';

/**
 * Growable big-endian writer. Grows by doubling (amortised O(1) per byte,
 * never a concat per write). Values are asserted in range: encoding a bad
 * value is a programmer error, not bad input.
 */
export class ByteWriter {
  private buf: Buffer;
  private pos = 0;

  constructor(initialBytes = 256) {
    this.buf = Buffer.allocUnsafe(initialBytes);
  }

  get length(): number {
    return this.pos;
  }

  private reserve(n: number): number {
    if (this.pos + n > this.buf.length) {
      let size = this.buf.length * 2;
      while (size < this.pos + n) size *= 2;
      const next = Buffer.allocUnsafe(size);
      this.buf.copy(next, 0, 0, this.pos);
      this.buf = next;
    }
    const at = this.pos;
    this.pos += n;
    return at;
  }

  u8(v: number): this {
    assert(Number.isInteger(v) && v >= 0 && v <= 0xff, 'u8 out of range');
    const at = this.reserve(1); // reserve first: it may replace this.buf
    this.buf[at] = v;
    return this;
  }
  u16(v: number): this {
    assert(Number.isInteger(v) && v >= 0 && v <= 0xffff, 'u16 out of range');
    const at = this.reserve(2);
    this.buf.writeUInt16BE(v, at);
    return this;
  }
  u32(v: number): this {
    assert(Number.isInteger(v) && v >= 0 && v <= 0xffff_ffff, 'u32 out of range');
    const at = this.reserve(4);
    this.buf.writeUInt32BE(v, at);
    return this;
  }
  u64(v: number): this {
    assert(Number.isSafeInteger(v) && v >= 0, 'u64 must be a safe non-negative integer');
    const at = this.reserve(8);
    this.buf.writeBigUInt64BE(BigInt(v), at);
    return this;
  }
  bytes(b: Uint8Array): this {
    const at = this.reserve(b.length);
    this.buf.set(b, at);
    return this;
  }
  /** Overwrites a u32 written earlier (length back-patching). */
  patchU32(at: number, v: number): void {
    assert(at + 4 <= this.pos, 'patch past end');
    this.buf.writeUInt32BE(v, at);
  }
  /** A view of everything written so far (valid until the next write). */
  view(): Buffer {
    return this.buf.subarray(0, this.pos);
  }
  /** A copy of everything written so far. */
  toBuffer(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.pos));
  }
}
