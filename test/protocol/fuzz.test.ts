/**
 * Property/fuzz tests: random and mutated frames into the frame decoder and
 * receive pipeline (>= 100,000 frames), and into live center connections.
 * Every outcome is a decoded message that round-trips, or a registry-coded
 * ProtocolError; nothing else may escape.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isProtocolError, PROTO_WIRE_CODES } from '../../protocol/errors.js';
import { FrameDecoder } from '../../protocol/frame/decoder.js';
import { PROTOCOL_LIMITS } from '../../protocol/limits.js';
import { decodeBody, encodeBodyToBuffer } from '../../protocol/messages/catalog.js';
import { InboundVerifier } from '../../protocol/session/verifier.js';
import { ANY_SEEDS, damaged, editArb, REQUEST_SEEDS, resealed, type Edit } from './support/mutate.js';
import { FIXED_KEYS } from './vectors.js';

const CODES = new Set(Object.keys(PROTO_WIRE_CODES));
let framesFed = 0;

/** Feeds one frame (split at `cut`) to a fresh decoder + verifier; returns 'ok' or the error code. */
function feed(frame: Buffer, cut: number, lastSeq: number, max: number): string {
  framesFed++;
  const d = new FrameDecoder(max);
  const v = new InboundVerifier(lastSeq);
  v.setKey(FIXED_KEYS.main.macT2c, 'PROTO_BAD_MAC');
  try {
    const at = cut % (frame.length + 1);
    for (const part of [frame.subarray(0, at), frame.subarray(at)]) {
      d.push(part, (f) => {
        const r = v.accept(f);
        // Anything that decodes must survive a re-encode/decode round trip (a dropped MAC-less ERROR decodes nothing).
        if (r) expect(decodeBody(f.header.code, encodeBodyToBuffer(r.message))).toEqual(r.message);
      });
    }
    return 'ok';
  } catch (e) {
    if (isProtocolError(e) && CODES.has(e.code)) return e.code;
    throw e;
  }
}

const seedArb = (seeds: Buffer[]) => fc.integer({ min: 0, max: seeds.length - 1 }).map((i) => seeds[i] as Buffer);
const edits = fc.array(editArb, { minLength: 1, maxLength: 3 });
const BATCH = 40;

// CPU-bound and fixed in size: a generous timeout so a loaded machine slows it without failing it.
describe('fuzz: frame decoder and receive pipeline', { timeout: 120_000 }, () => {
  it('random bytes are a coded error or need more bytes, never a crash', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.uint8Array({ minLength: 0, maxLength: 80 }), fc.nat(), fc.boolean()), { minLength: BATCH, maxLength: BATCH }), (batch) => {
        for (const [bytes, cut, magic] of batch) {
          const b = Buffer.from(bytes);
          if (magic && b.length >= 3) b.writeUInt16BE(0x5453, 0), (b[2] = 1);
          feed(b, cut, 0, PROTOCOL_LIMITS.handshakeFrameBytesMax);
        }
      }),
      { numRuns: 800, seed: 7 },
    );
  });

  it('damaged frames (header, body or MAC) are a coded error', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(seedArb(ANY_SEEDS), edits, fc.nat(), fc.nat({ max: 40 })), { minLength: BATCH, maxLength: BATCH }), (batch) => {
        for (const [seed, es, cut, lastSeq] of batch) feed(damaged(seed, es), cut, lastSeq, PROTOCOL_LIMITS.frameBytesMax);
      }),
      { numRuns: 900, seed: 11 },
    );
  });

  it('re-MACed frames with damaged bodies reach the TLV decoder and decode or fail with a coded error', () => {
    const outcomes = new Map<string, number>();
    fc.assert(
      fc.property(fc.array(fc.tuple(seedArb(REQUEST_SEEDS), edits, fc.nat()), { minLength: BATCH, maxLength: BATCH }), (batch) => {
        for (const [seed, es, cut] of batch) {
          const code = feed(resealed(seed, es, 5, 9), cut, 4, PROTOCOL_LIMITS.frameBytesMax);
          outcomes.set(code, (outcomes.get(code) ?? 0) + 1);
        }
      }),
      { numRuns: 900, seed: 13 },
    );
    // The damage really reaches the body decoder: several distinct TLV outcomes and some survivors.
    expect([...outcomes.keys()].filter((c) => c.startsWith('PROTO_TLV_')).length).toBeGreaterThanOrEqual(5);
    expect(outcomes.get('ok') ?? 0).toBeGreaterThan(100);
  });

  it('fed at least 100,000 frames', () => {
    expect(framesFed).toBeGreaterThanOrEqual(100_000);
  });
});

export type { Edit };
