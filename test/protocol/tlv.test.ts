import { describe, expect, it } from 'vitest';
import { ByteReader } from '../../protocol/bytes/reader.js';
import { ByteWriter } from '../../protocol/bytes/writer.js';
import { isProtocolError } from '../../protocol/errors.js';
import { readTlvHead, writeLength } from '../../protocol/tlv/header.js';
import { TlvFields } from '../../protocol/tlv/fields.js';
import { checkTlvTree } from '../../protocol/tlv/tree.js';
import { TlvWriter } from '../../protocol/tlv/writer.js';
import { h } from './support/vector-types.js';

const codeOf = (fn: () => unknown): string => {
  try {
    fn();
    return 'ok';
  } catch (e) {
    return isProtocolError(e) ? e.code : `uncoded ${String(e)}`;
  }
};

describe('ByteReader', () => {
  it('reads big-endian values and refuses to pass its end with a coded error', () => {
    const r = new ByteReader(h('0102030405060708090a0b0c0d0e0f'), 0, 15);
    expect(r.u8()).toBe(1);
    expect(r.u16()).toBe(0x0203);
    expect(r.u32()).toBe(0x04050607);
    expect(r.u64()).toBe(0x08090a0b0c0d0e0fn);
    expect(codeOf(() => r.u8())).toBe('PROTO_TLV_TRUNCATED');
  });
});

describe('TLV lengths', () => {
  it.each([[0, '00'], [0x7f, '7f'], [0x80, '8180'], [0xff, '81ff'], [0x100, '820100'], [0xffff, '82ffff'], [0x10000, '83010000']])('%i encodes as %s and reads back', (len, hex) => {
    const w = new ByteWriter(4);
    writeLength(w, len);
    expect(w.view().toString('hex')).toBe(hex);
    const body = Buffer.concat([h(`80${hex}`), Buffer.alloc(len)]);
    expect(readTlvHead(new ByteReader(body)).end - readTlvHead(new ByteReader(body)).start).toBe(len);
  });

  it.each([['8080', 'PROTO_TLV_BAD_LENGTH'], ['80817f', 'PROTO_TLV_BAD_LENGTH'], ['808200ff', 'PROTO_TLV_BAD_LENGTH'], ['8084000000ff', 'PROTO_TLV_BAD_LENGTH'], ['8002aa', 'PROTO_TLV_TRUNCATED'], ['00', 'PROTO_TLV_BAD_TAG'], ['9f8101', 'PROTO_TLV_BAD_TAG'], ['9f', 'PROTO_TLV_TRUNCATED']])('%s → %s', (hex, code) => {
    expect(codeOf(() => readTlvHead(new ByteReader(h(hex))))).toBe(code);
  });
});

describe('TlvFields', () => {
  it('takes fields once, drops private tags, and rejects leftovers', () => {
    const f = TlvFields.parse(h('8001aa df0100 8101bb'));
    expect(f.one(0x80).toString('hex')).toBe('aa');
    expect(codeOf(() => f.done())).toBe('PROTO_TLV_UNKNOWN_TAG');
  });

  it('repeated tags are a duplicate for single fields, a list for repeated ones', () => {
    expect(codeOf(() => TlvFields.parse(h('8001aa 8001bb')).one(0x80))).toBe('PROTO_TLV_DUPLICATE_TAG');
    expect(TlvFields.parse(h('8001aa 8001bb')).many(0x80, 2).map((b) => b.toString('hex'))).toEqual(['aa', 'bb']);
    expect(codeOf(() => TlvFields.parse(h('8001aa 8001bb')).many(0x80, 1))).toBe('PROTO_TLV_TOO_MANY');
  });

  it('limits nesting depth without recursion, for any tree shape', () => {
    const nest = (d: number): TlvWriter => {
      const inner = new TlvWriter();
      inner.bytes(0x80, h('01'));
      let cur = inner.out.toBuffer();
      for (let i = 0; i < d; i++) cur = new TlvWriter().bytes(0xe1, cur).out.toBuffer();
      return new TlvWriter().bytes(0xa1, cur);
    };
    const ok = nest(3).out.toBuffer();
    expect(codeOf(() => checkTlvTree(ok, 0, ok.length, 0))).toBe('ok');
    const deep = nest(4).out.toBuffer();
    expect(codeOf(() => checkTlvTree(deep, 0, deep.length, 0))).toBe('PROTO_TLV_TOO_DEEP');
    const huge = Buffer.concat(Array.from({ length: 100_000 }, () => h('e100')));
    expect(codeOf(() => checkTlvTree(huge, 0, huge.length, 0))).toBe('PROTO_TLV_TOO_MANY');
  });
});

describe('ByteWriter', () => {
  it('keeps every byte across growth (each write reserves before touching the buffer)', () => {
    const w = new ByteWriter(1);
    const expected: number[] = [];
    for (let i = 0; i < 300; i++) {
      w.u8(i & 0xff).u16(0x0102).u32(0x03040506).u64(i).bytes(Buffer.from([i & 0xff, 7]));
      expected.push(i & 0xff, 1, 2, 3, 4, 5, 6, 0, 0, 0, 0, 0, 0, (i >> 8) & 0xff, i & 0xff, i & 0xff, 7);
    }
    expect([...w.view()]).toEqual(expected);
  });
});
