/**
 * Live fuzz: random and mutated frames into real center connections over
 * loopback, many frames per connection. The listener must answer each
 * connection's first bad frame with the registry code the offline decoder
 * predicts (or an RPC-level code), never crash, and keep a bystander
 * session working throughout.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isProtocolError, PROTO_WIRE_CODES } from '../../../protocol/errors.js';
import { FrameDecoder } from '../../../protocol/frame/decoder.js';
import { PROTOCOL_LIMITS } from '../../../protocol/limits.js';
import { MSG } from '../../../protocol/codes.js';
import { InboundVerifier } from '../../../protocol/session/verifier.js';
import { LinkClient } from '../../../terminal/link/link-client.js';
import { editArb, damaged, headerDamaged, REQUEST_SEEDS, resealed, ANY_SEEDS, type Edit } from '../../protocol/support/mutate.js';
import { RawPeer } from '../../protocol/support/raw-peer.js';
import { KEY, startCenter, TID } from './support.js';

const CODES = new Set(Object.keys(PROTO_WIRE_CODES));
const RPC_LEVEL = new Set(['PROTO_UNKNOWN_REQUEST', 'PROTO_UNEXPECTED_MESSAGE', 'PROTO_DUPLICATE_REQUEST_ID']);
const TRAILER = Buffer.alloc(18, 0x58); // "XXXX…": bad magic, ends every batch

let center: Awaited<ReturnType<typeof startCenter>>;
let bystander: LinkClient;
beforeAll(async () => {
  // Batches of handshakes from one address overlap the previous batch's closing: not a flood to refuse here.
  center = await startCenter({ maxUnauthenticatedPerSource: 64, maxUnauthenticated: 100 });
  bystander = new LinkClient({ terminalId: 'T-0002', terminalKey: KEY, centers: [{ host: '127.0.0.1', port: center.port }] });
  bystander.start();
});
afterAll(async () => {
  await bystander.close();
  await center.server.close();
});

/** What the center should answer: the first error of the byte stream, decoded offline. */
function predict(stream: Buffer, macKey: Buffer | undefined): string {
  const d = new FrameDecoder(macKey ? PROTOCOL_LIMITS.frameBytesMax : PROTOCOL_LIMITS.handshakeFrameBytesMax);
  const v = new InboundVerifier(macKey ? 1 : 0);
  if (macKey) v.setKey(macKey, 'PROTO_BAD_MAC');
  if (macKey) v.establish();
  let peerError = false;
  let inError = false;
  try {
    d.push(stream, (f) => {
      inError = f.header.code === MSG.ERROR;
      const r = v.accept(f);
      inError = false;
      if (!peerError && r?.message.type === 'error') peerError = true;
    });
    return peerError ? 'closed' : 'incomplete';
  } catch (e) {
    // The center never answers an ERROR, not even a malformed one: it just closes.
    if (peerError || inError) return 'closed';
    if (isProtocolError(e)) return e.code;
    throw e;
  }
}

type Item = { kind: 'valid' | 'body' | 'header'; seed: number; edits: Edit[] };
const itemArb: fc.Arbitrary<Item> = fc.record({
  kind: fc.constantFrom('valid' as const, 'body' as const, 'header' as const),
  seed: fc.nat(),
  edits: fc.array(editArb, { minLength: 1, maxLength: 2 }),
});

async function authedBatch(items: Item[]): Promise<number> {
  const p = await RawPeer.connect(center.port);
  try {
    expect(await p.handshake(TID, KEY)).toBe('authOk');
    const key = p.keys?.macT2c as Buffer;
    const frames = items.map((it, i) => {
      const seed = REQUEST_SEEDS[it.seed % REQUEST_SEEDS.length] as Buffer;
      const f = resealed(seed, it.kind === 'body' ? it.edits : [], 2 + i, 1 + i, key);
      return it.kind === 'header' ? headerDamaged(f, it.edits) : f;
    });
    const stream = Buffer.concat([...frames, TRAILER]);
    const expected = predict(stream, key);
    p.write(stream);
    if (expected === 'incomplete') return frames.length;
    const got = await p.errorCode(3000);
    if (expected === 'closed') return frames.length;
    expect(CODES.has(got)).toBe(true);
    if (got !== expected) expect(RPC_LEVEL.has(got)).toBe(true);
    return frames.length;
  } finally {
    p.close();
  }
}

async function unauthenticated(bytes: Buffer): Promise<void> {
  const p = await RawPeer.connect(center.port);
  try {
    const stream = Buffer.concat([bytes, TRAILER]);
    const expected = predict(stream, undefined);
    p.write(stream);
    if (expected === 'incomplete') return;
    const got = await p.errorCode(3000);
    // A surviving HELLO gets a CHALLENGE first; the trailer (or what follows) is then refused.
    if (expected === 'closed') expect(got).toBe('closed');
    else expect(CODES.has(got)).toBe(true);
  } finally {
    p.close();
  }
}

describe('fuzz: live center connections', () => {
  it('authenticated sessions: every batch ends in the predicted coded error; the bystander is unaffected', async () => {
    let frames = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(itemArb, { minLength: 12, maxLength: 28 }), { minLength: 12, maxLength: 12 }), async (batches) => {
        const counts = await Promise.all(batches.map((b) => authedBatch(b)));
        frames += counts.reduce((a, b) => a + b, 0);
        expect((await bystander.request({ type: 'ping' })).type).toBe('pong');
      }),
      { numRuns: 450, seed: 5 },
    );
    expect(frames).toBeGreaterThanOrEqual(100_000);
    expect((await bystander.request({ type: 'validityRequest', terminalId: 'T-0002', mediumId: Buffer.alloc(8, 1) })).type).toBe('validityEarlyAck');
  });

  it('unauthenticated connections: random and damaged bytes get a coded error', async () => {
    const bytesArb = fc.oneof(
      fc.uint8Array({ minLength: 1, maxLength: 64 }).map((b) => Buffer.from(b)),
      fc.tuple(fc.nat(), fc.array(editArb, { minLength: 1, maxLength: 3 })).map(([i, es]) => damaged(ANY_SEEDS[i % ANY_SEEDS.length] as Buffer, es)),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(bytesArb, { minLength: 10, maxLength: 10 }), async (batch) => {
        await Promise.all(batch.map((b) => unauthenticated(b)));
      }),
      { numRuns: 100, seed: 9 },
    );
    expect((await bystander.request({ type: 'ping' })).type).toBe('pong');
    expect(center.server.connectionCount).toBeLessThan(20);
  });
});
