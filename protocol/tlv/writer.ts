/**
 * Writes a TLV list in the canonical form the reader accepts (shortest
 * lengths, fixed-width integers). Message encoders call these in table order.
 */
import { assert } from '../../core/assert.js';
import { ByteWriter } from '../bytes/writer.js';
import { writeLength, writeTag } from './header.js';
import type { RawTlv } from './fields.js';

export class TlvWriter {
  readonly out: ByteWriter;

  constructor(out: ByteWriter = new ByteWriter()) {
    this.out = out;
  }

  bytes(tag: number, value: Uint8Array): this {
    writeTag(this.out, tag);
    writeLength(this.out, value.length);
    this.out.bytes(value);
    return this;
  }
  optBytes(tag: number, value: Uint8Array | undefined): this {
    return value === undefined ? this : this.bytes(tag, value);
  }
  u8(tag: number, v: number): this {
    writeTag(this.out, tag);
    this.out.u8(1).u8(v);
    return this;
  }
  u16(tag: number, v: number): this {
    writeTag(this.out, tag);
    this.out.u8(2).u16(v);
    return this;
  }
  u32(tag: number, v: number): this {
    writeTag(this.out, tag);
    this.out.u8(4).u32(v);
    return this;
  }
  u64(tag: number, v: number): this {
    writeTag(this.out, tag);
    this.out.u8(8).u64(v);
    return this;
  }
  optU64(tag: number, v: number | undefined): this {
    return v === undefined ? this : this.u64(tag, v);
  }
  ascii(tag: number, s: string): this {
    assert(/^[\x20-\x7e]*$/.test(s), 'TLV text must be printable ASCII');
    return this.bytes(tag, Buffer.from(s, 'latin1'));
  }
  optAscii(tag: number, s: string | undefined): this {
    return s === undefined ? this : this.ascii(tag, s);
  }
  /** A constructed TLV whose value is the list `fill` writes. */
  nested(tag: number, fill: (w: TlvWriter) => void): this {
    const inner = new TlvWriter(new ByteWriter(64));
    fill(inner);
    return this.bytes(tag, inner.out.view());
  }
  raw(items: readonly RawTlv[]): this {
    for (const it of items) this.bytes(it.tag, it.value);
    return this;
  }
}
