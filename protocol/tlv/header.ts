/**
 * BER-TLV tag and length encoding (PROTOCOL.md §3), shared by the reader,
 * the writer and the tree walker.
 *
 * Tag: one or two bytes, identified by their raw value (as EMV does). A first
 * byte whose low five bits are all ones announces a second byte, whose top
 * bit must be clear (no three-byte tags). 0x00 is not a tag.
 * Length: short form 0x00-0x7F, or 0x81/0x82/0x83 followed by 1/2/3 bytes,
 * always the shortest form; indefinite (0x80) and 0x84+ are rejected.
 */
import { protoError } from '../errors.js';
import { ByteReader } from '../bytes/reader.js';
import type { ByteWriter } from '../bytes/writer.js';
import { assert } from '../../core/assert.js';

export interface TlvHead {
  tag: number;
  constructed: boolean;
  /** Value bounds within the underlying buffer. */
  start: number;
  end: number;
}

export function isConstructedTag(tag: number): boolean {
  const first = tag > 0xff ? tag >> 8 : tag;
  return (first & 0x20) !== 0;
}

/** Private-class tags (first byte 0xC0-0xFF) are ignorable: skipped when unknown. */
export function isIgnorableTag(tag: number): boolean {
  const first = tag > 0xff ? tag >> 8 : tag;
  return (first & 0xc0) === 0xc0;
}

function readTag(r: ByteReader): number {
  const b0 = r.u8();
  if (b0 === 0x00) throw protoError('PROTO_TLV_BAD_TAG', 'tag 0x00', { offset: r.offset - 1 });
  if ((b0 & 0x1f) !== 0x1f) return b0;
  const b1 = r.u8();
  if ((b1 & 0x80) !== 0) throw protoError('PROTO_TLV_BAD_TAG', 'tags longer than two bytes are not used', { offset: r.offset - 2 });
  return (b0 << 8) | b1;
}

function readLength(r: ByteReader): number {
  const b0 = r.u8();
  if (b0 < 0x80) return b0;
  const n = b0 & 0x7f;
  if (n === 0 || n > 3) throw protoError('PROTO_TLV_BAD_LENGTH', 'indefinite or over-long length form', { first: b0 });
  let len = 0;
  for (let i = 0; i < n; i++) len = len * 256 + r.u8();
  const min = n === 1 ? 0x80 : 1 << (8 * (n - 1));
  if (len < min) throw protoError('PROTO_TLV_BAD_LENGTH', 'length not in its shortest form', { len });
  return len;
}

/** Reads one TLV head at the reader position and skips the reader past its value. */
export function readTlvHead(r: ByteReader): TlvHead {
  const tag = readTag(r);
  const len = readLength(r);
  if (len > r.remaining) throw protoError('PROTO_TLV_TRUNCATED', 'value runs past its container', { tag, len });
  const start = r.offset;
  r.bytes(len);
  return { tag, constructed: isConstructedTag(tag), start, end: start + len };
}

export function writeTag(w: ByteWriter, tag: number): void {
  assert(Number.isInteger(tag) && tag > 0 && tag <= 0xffff, 'tag out of range');
  if (tag > 0xff) {
    assert((tag >> 8 & 0x1f) === 0x1f && (tag & 0x80) === 0, 'malformed two-byte tag');
    w.u16(tag);
  } else {
    assert((tag & 0x1f) !== 0x1f, 'one-byte tag announces a second byte');
    w.u8(tag);
  }
}

export function writeLength(w: ByteWriter, len: number): void {
  assert(Number.isInteger(len) && len >= 0 && len <= 0xffffff, 'TLV length out of range');
  if (len < 0x80) w.u8(len);
  else if (len <= 0xff) w.u8(0x81).u8(len);
  else if (len <= 0xffff) w.u8(0x82).u16(len);
  else w.u8(0x83).u8(len >> 16).u16(len & 0xffff);
}
