/**
 * One level of a TLV list, parsed flat and then taken field by field by a
 * message decoder. Taking a field removes it; `done()` rejects whatever a
 * decoder did not take (unknown tags), except private-class tags, which are
 * dropped at parse time (PROTOCOL.md §3.3). Nested lists are parsed only when
 * a decoder asks, one level at a time, with the depth checked: no recursion.
 */
import { ByteReader } from '../bytes/reader.js';
import { protoError } from '../errors.js';
import { PROTOCOL_LIMITS } from '../limits.js';
import { isIgnorableTag, readTlvHead } from './header.js';
import { checkTlvTree } from './tree.js';

const hexTag = (tag: number): string => `0x${tag.toString(16)}`;
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

export interface RawTlv {
  tag: number;
  value: Buffer;
}

export class TlvFields {
  private readonly map = new Map<number, Buffer[]>();

  private constructor(readonly depth: number) {}

  /** `keep`: private-class tags this message defines (PROTOCOL.md §4.6's version TLVs), taken like any other field. */
  static parse(buf: Buffer, depth = 0, keep?: readonly number[]): TlvFields {
    if (depth > PROTOCOL_LIMITS.tlvDepthMax) throw protoError('PROTO_TLV_TOO_DEEP', 'TLV nesting too deep');
    const f = new TlvFields(depth);
    const r = new ByteReader(buf);
    for (let items = 0; r.remaining > 0; items++) {
      if (items >= PROTOCOL_LIMITS.tlvItemsMax) throw protoError('PROTO_TLV_TOO_MANY', 'too many TLVs in one list');
      const h = readTlvHead(r);
      if (isIgnorableTag(h.tag) && !keep?.includes(h.tag)) continue;
      const value = buf.subarray(h.start, h.end);
      const list = f.map.get(h.tag);
      if (list) list.push(value);
      else f.map.set(h.tag, [value]);
    }
    return f;
  }

  private take(tag: number): Buffer[] | undefined {
    const list = this.map.get(tag);
    this.map.delete(tag);
    return list;
  }

  opt(tag: number): Buffer | undefined {
    const list = this.take(tag);
    if (list && list.length > 1) throw protoError('PROTO_TLV_DUPLICATE_TAG', 'tag repeated', { tag: hexTag(tag) });
    return list?.[0];
  }

  one(tag: number): Buffer {
    const v = this.opt(tag);
    if (v === undefined) throw protoError('PROTO_TLV_MISSING_TAG', 'mandatory tag absent', { tag: hexTag(tag) });
    return v;
  }

  many(tag: number, max: number): Buffer[] {
    const list = this.take(tag) ?? [];
    if (list.length > max) throw protoError('PROTO_TLV_TOO_MANY', 'too many repeated tags', { tag: hexTag(tag), max });
    return list;
  }

  /** Nested lists of a repeatable constructed tag, each parsed one level deeper. */
  nested(tag: number, max: number): TlvFields[] {
    return this.many(tag, max).map((v) => TlvFields.parse(v, this.depth + 1));
  }

  nestedOne(tag: number): TlvFields {
    return TlvFields.parse(this.one(tag), this.depth + 1);
  }

  /** The items of an opaque constructed value, checked well-formed to the depth limit. */
  rawList(tag: number): RawTlv[] {
    const v = this.opt(tag);
    if (v === undefined) return [];
    checkTlvTree(v, 0, v.length, this.depth + 1);
    const out: RawTlv[] = [];
    const r = new ByteReader(v);
    while (r.remaining > 0) {
      const h = readTlvHead(r);
      out.push({ tag: h.tag, value: v.subarray(h.start, h.end) });
    }
    return out;
  }

  /** Rejects every tag no decoder took. */
  done(): void {
    for (const tag of this.map.keys()) throw protoError('PROTO_TLV_UNKNOWN_TAG', 'tag not defined for this message', { tag: hexTag(tag) });
  }
}

// ---- value decoders: exact sizes and ranges, coded errors ----

function bad(tag: number, what: string): never {
  throw protoError('PROTO_TLV_BAD_VALUE', what, { tag: hexTag(tag) });
}

export function fixed(tag: number, v: Buffer, size: number): Buffer {
  if (v.length !== size) bad(tag, `expected ${size} bytes`);
  return Buffer.from(v);
}

export function sized(tag: number, v: Buffer, min: number, max: number): Buffer {
  if (v.length < min || v.length > max) bad(tag, `expected ${min}-${max} bytes`);
  return Buffer.from(v);
}

export function uint(tag: number, v: Buffer, size: 1 | 2 | 4): number {
  if (v.length !== size) bad(tag, `expected a ${size}-byte integer`);
  return size === 1 ? (v[0] as number) : size === 2 ? v.readUInt16BE(0) : v.readUInt32BE(0);
}

/** u64 limited to Number.MAX_SAFE_INTEGER (money and timestamps). */
export function uint64(tag: number, v: Buffer): number {
  if (v.length !== 8) bad(tag, 'expected an 8-byte integer');
  const n = v.readBigUInt64BE(0);
  if (n > MAX_SAFE) bad(tag, 'integer above 2^53-1');
  return Number(n);
}

export function ascii(tag: number, v: Buffer, pattern: RegExp): string {
  for (const b of v) if (b < 0x20 || b > 0x7e) bad(tag, 'not printable ASCII');
  const s = v.toString('latin1');
  if (!pattern.test(s)) bad(tag, 'wrong format');
  return s;
}

export function oneOf<T extends number>(tag: number, n: number, table: Readonly<Record<string, T>>): T {
  for (const v of Object.values(table)) if (v === n) return v;
  return bad(tag, 'value not in its table');
}

export function flag(tag: number, v: Buffer): boolean {
  const n = uint(tag, v, 1);
  if (n > 1) bad(tag, 'flag must be 0 or 1');
  return n === 1;
}
