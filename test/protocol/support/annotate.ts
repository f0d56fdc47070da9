/**
 * Splits a frame into its fields with one comment each (for test vectors and
 * PROTOCOL.md). An independent walk of the bytes: it does not use the codec.
 */
import { MSG, TAG, nameOf } from '../../../protocol/codes.js';

export type Line = [hex: string, comment: string];

const tagName = (t: number): string => {
  const n = nameOf(TAG, t);
  return n.startsWith('0x') ? `tag ${n}` : n;
};

function describe(tag: number, v: Buffer): string {
  const printable = v.length > 0 && [...v].every((b) => b >= 0x20 && b <= 0x7e);
  if (printable && v.length <= 40) return `"${v.toString('latin1')}"`;
  if (v.length === 8 && (tag === TAG.AMOUNT_MINOR || tag === TAG.BALANCE_MINOR || tag === TAG.EXPIRES_AT_MS || tag === TAG.STACKED_AT_MS)) return String(v.readBigUInt64BE(0));
  if (v.length <= 4 && v.length > 0) return String(v.readUIntBE(0, v.length));
  return `${v.length} bytes`;
}

function tlvLines(buf: Buffer, indent: string, out: Line[]): void {
  const stack: Array<{ b: Buffer; pos: number; indent: string }> = [{ b: buf, pos: 0, indent }];
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    if (top.pos >= top.b.length) {
      stack.pop();
      continue;
    }
    const b = top.b;
    let p = top.pos;
    let tag = b[p++]!;
    if ((tag & 0x1f) === 0x1f) tag = (tag << 8) | b[p++]!;
    let len = b[p++]!;
    if (len & 0x80) {
      const n = len & 0x7f;
      len = b.readUIntBE(p, n);
      p += n;
    }
    const headHex = b.subarray(top.pos, p).toString('hex');
    const value = b.subarray(p, p + len);
    top.pos = p + len;
    const constructed = ((tag > 0xff ? tag >> 8 : tag) & 0x20) !== 0;
    if (constructed) {
      out.push([headHex, `${top.indent}${tagName(tag)}, constructed, ${len} bytes:`]);
      stack.push({ b: value, pos: 0, indent: `${top.indent}  ` });
    } else {
      out.push([headHex + value.toString('hex'), `${top.indent}${tagName(tag)} = ${describe(tag, value)}`]);
    }
  }
}

export function annotate(frame: Buffer): Line[] {
  const code = frame[3]!;
  const flags = frame.readUInt16BE(4);
  const len = frame.readUInt32BE(14);
  const out: Line[] = [
    ['5453', 'magic "TS"'],
    [frame.subarray(2, 3).toString('hex'), `version ${frame[2]}`],
    [frame.subarray(3, 4).toString('hex'), `message ${nameOf(MSG, code)}`],
    [frame.subarray(4, 6).toString('hex'), `flags${flags & 1 ? ' MAC' : ''}${flags & 2 ? ' RESPONSE' : ''}${flags === 0 ? ' none' : ''}`],
    [frame.subarray(6, 10).toString('hex'), `sequence ${frame.readUInt32BE(6)}`],
    [frame.subarray(10, 14).toString('hex'), `request id ${frame.readUInt32BE(10)}`],
    [frame.subarray(14, 18).toString('hex'), `body length ${len}`],
  ];
  tlvLines(frame.subarray(18, 18 + len), '', out);
  if (flags & 1) out.push([frame.subarray(18 + len).toString('hex'), 'MAC: HMAC-SHA-256 truncated to 16 bytes']);
  return out;
}
