/** Frame mutations for the fuzz tests: raw byte damage, or body damage re-sealed with a valid length, sequence and MAC. */
import fc from 'fast-check';
import { frameMac } from '../../../protocol/crypto/mac.js';
import { FRAME_VECTORS, FIXED_KEYS } from '../vectors.js';
import { h } from './vector-types.js';

/** Terminal → center request vectors of the main session: what a terminal could send. */
export const REQUEST_SEEDS: Buffer[] = FRAME_VECTORS.filter((v) => v.session === 'main' && v.dir === 't2c' && !['hello', 'auth'].includes(v.name)).map((v) => h(v.bytes.join('')));
export const ANY_SEEDS: Buffer[] = FRAME_VECTORS.map((v) => h(v.bytes.join('')));

export type Edit =
  | { op: 'flip'; at: number; bit: number }
  | { op: 'set'; at: number; value: number }
  | { op: 'insert'; at: number; bytes: Uint8Array }
  | { op: 'delete'; at: number; n: number };

export const editArb: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({ op: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ op: fc.constant('set' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ op: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
  fc.record({ op: fc.constant('delete' as const), at: fc.nat(), n: fc.integer({ min: 1, max: 8 }) }),
);

export function applyEdit(b: Buffer, e: Edit, from: number): Buffer {
  if (b.length <= from) return b;
  const at = from + (e.at % (b.length - from));
  switch (e.op) {
    case 'flip': {
      const c = Buffer.from(b);
      c[at] = (c[at] as number) ^ (1 << e.bit);
      return c;
    }
    case 'set': {
      const c = Buffer.from(b);
      c[at] = e.value;
      return c;
    }
    case 'insert':
      return Buffer.concat([b.subarray(0, at), Buffer.from(e.bytes), b.subarray(at)]);
    case 'delete':
      return Buffer.concat([b.subarray(0, at), b.subarray(at + e.n)]);
  }
}

/** Damages the body, then fixes length, sequence and MAC so the damage reaches the TLV decoder. */
export function resealed(seed: Buffer, edits: readonly Edit[], seq: number, requestId: number, macKey: Buffer = FIXED_KEYS.main.macT2c): Buffer {
  const len = seed.readUInt32BE(14);
  let body: Buffer = seed.subarray(18, 18 + len);
  for (const e of edits) body = applyEdit(body, e, 0);
  const head = Buffer.from(seed.subarray(0, 18));
  head.writeUInt32BE(seq, 6);
  head.writeUInt32BE(requestId, 10);
  head.writeUInt32BE(body.length, 14);
  const signed = Buffer.concat([head, body]);
  return Buffer.concat([signed, frameMac(macKey, signed)]);
}

/** Damages any bytes of a frame (header included), no fix-up. */
export function damaged(seed: Buffer, edits: readonly Edit[]): Buffer {
  let b = seed;
  for (const e of edits) b = applyEdit(b, e, 0);
  return b;
}

/** Damages header bytes 0-13 only (magic .. request id), keeping the length: the frame stays delimited. */
export function headerDamaged(frame: Buffer, edits: readonly Edit[]): Buffer {
  const c = Buffer.from(frame);
  for (const e of edits) {
    const at = e.at % 14;
    if (e.op === 'flip') c[at] = (c[at] as number) ^ (1 << e.bit);
    else if (e.op === 'set') c[at] = e.value;
  }
  return c;
}
