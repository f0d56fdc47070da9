import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FLAG_RESPONSE } from '../../protocol/codes.js';
import { deriveSessionKeys, proofOf } from '../../protocol/crypto/keys.js';
import { verifyFrameMac } from '../../protocol/crypto/mac.js';
import { open, pinFromBlockFormat2 } from '../../protocol/crypto/seal.js';
import { isProtocolError } from '../../protocol/errors.js';
import { FrameDecoder, type RawFrame } from '../../protocol/frame/decoder.js';
import { encodeFrame } from '../../protocol/frame/encoder.js';
import { PROTOCOL_LIMITS } from '../../protocol/limits.js';
import { decodeBody, encodeBodyToBuffer } from '../../protocol/messages/catalog.js';
import { InboundVerifier } from '../../protocol/session/verifier.js';
import { TAG } from '../../protocol/codes.js';
import { h, type BodyVector, type ErrorVector, type FrameVector } from './support/vector-types.js';
import { BODY_VECTORS, ERROR_VECTORS, FIXED_KEYS, FRAME_VECTORS } from './vectors.js';

const bytesOf = (v: { bytes: string[] }): Buffer => h(v.bytes.join(''));
const keysOf = (v: { session: 'main' | 'callback' }) => FIXED_KEYS[v.session];
const macKeyOf = (v: { session: 'main' | 'callback'; dir: 't2c' | 'c2t' }): Buffer => (v.dir === 't2c' ? keysOf(v).macT2c : keysOf(v).macC2t);

function frames(chunks: Buffer[], max: number = PROTOCOL_LIMITS.frameBytesMax): RawFrame[] {
  const d = new FrameDecoder(max);
  const out: RawFrame[] = [];
  for (const c of chunks) d.push(c, (f) => out.push(f));
  return out;
}

function only(chunks: Buffer[]): RawFrame {
  const fs = frames(chunks);
  expect(fs).toHaveLength(1);
  return fs[0] as RawFrame;
}

describe('key schedule vector', () => {
  it('derives the published keys from the fixed terminal key and nonces', () => {
    const k = FIXED_KEYS;
    expect(deriveSessionKeys(k.terminalKey, k.nonceT, k.nonceC, k.terminalId)).toEqual(k.main);
    expect(deriveSessionKeys(k.terminalKey, k.cbNonceT, k.cbNonceC, k.terminalId)).toEqual(k.callback);
  });

  it('handshake proofs in the vectors verify', () => {
    const k = FIXED_KEYS;
    const auth = FRAME_VECTORS.find((v) => v.name === 'auth')?.message;
    const cb = FRAME_VECTORS.find((v) => v.name === 'callbackAuth')?.message;
    expect(auth).toEqual({ type: 'auth', proof: proofOf(k.main, 'terminal', k.nonceT, k.nonceC) });
    expect(cb).toEqual({ type: 'callbackAuth', nonce: k.cbNonceT, proof: proofOf(k.callback, 'callback', k.token, k.cbNonceT, k.cbNonceC) });
  });

  it('sealed fields open to the clear values under the direction key', () => {
    const charge = FRAME_VECTORS.find((v) => v.name === 'chargeRequest')?.message;
    const instr = FRAME_VECTORS.find((v) => v.name === 'settlementInstruction')?.message;
    if (charge?.type !== 'chargeRequest' || instr?.type !== 'settlementInstruction') throw new Error('vectors missing');
    expect(pinFromBlockFormat2(open(FIXED_KEYS.main.encT2c, TAG.PIN_BLOCK, charge.pinBlock))).toBe('1234');
    expect(open(FIXED_KEYS.callback.encC2t, TAG.SECURITY_CODE, instr.securityCode).toString('latin1')).toBe('918273');
    expect(() => open(FIXED_KEYS.main.encC2t, TAG.PIN_BLOCK, charge.pinBlock)).toThrow(/PROTO_SEAL_FAILED/);
    expect(() => open(FIXED_KEYS.main.encT2c, TAG.SECURITY_CODE, charge.pinBlock)).toThrow(/PROTO_SEAL_FAILED/);
  });
});

describe.each(FRAME_VECTORS.map((v) => [v.name, v] as [string, FrameVector]))('vector %s', (_name, v) => {
  const bytes = bytesOf(v);

  it('decodes to its message (MAC checked with the published key)', () => {
    const f = only([bytes]);
    if (f.mac) expect(verifyFrameMac(macKeyOf(v), f.signed, f.mac)).toBe(true);
    expect(decodeBody(f.header.code, f.body)).toEqual(v.message);
  });

  it('encodes to the same bytes', () => {
    const f = only([bytes]);
    const again = encodeFrame(v.message, {
      seq: f.header.seq,
      requestId: f.header.requestId,
      response: (f.header.flags & FLAG_RESPONSE) !== 0,
      macKey: f.mac ? macKeyOf(v) : undefined,
    });
    expect(again.toString('hex')).toBe(bytes.toString('hex'));
  });

  it('round-trips through the body codec', () => {
    const f = only([bytes]);
    const m = decodeBody(f.header.code, f.body);
    expect(decodeBody(f.header.code, encodeBodyToBuffer(m))).toEqual(m);
  });

  it('decodes identically when split at every byte offset', () => {
    for (let i = 1; i < bytes.length; i++) {
      const f = only([bytes.subarray(0, i), bytes.subarray(i)]);
      expect(Buffer.concat([f.signed, f.mac ?? Buffer.alloc(0)]).equals(bytes)).toBe(true);
    }
  });
});

describe('transcripts', () => {
  it.each([['main', 't2c'], ['main', 'c2t'], ['callback', 't2c'], ['callback', 'c2t']] as const)('%s %s frames pass the verifier in order', (session, dir) => {
    // The receiver sets its keys after the last MAC-less handshake frame and is established after AUTH / AUTH_OK
    // (the callback terminal: after sending CALLBACK_AUTH). The MAC-less fatal ERROR belongs before keys: tested below.
    const vs = FRAME_VECTORS.filter((v) => v.session === session && v.dir === dir && v.name !== 'errorFatalUnauthenticated');
    const ver = new InboundVerifier();
    const all = frames([Buffer.concat(vs.map(bytesOf))]);
    const got = all.map((f) => {
      if (f.mac) ver.setKey(macKeyOf({ session, dir }), 'PROTO_BAD_MAC');
      const r = ver.accept(f);
      if (r?.message.type === 'auth' || r?.message.type === 'authOk' || (session === 'callback' && dir === 't2c')) ver.establish();
      return r?.message;
    });
    expect(got).toEqual(vs.map((v) => v.message));
  });

  it('a MAC-less ERROR ends a session without keys, and is dropped unread by a receiver with keys', () => {
    const v = FRAME_VECTORS.find((x) => x.name === 'errorFatalUnauthenticated') as FrameVector;
    expect(new InboundVerifier().accept(only([bytesOf(v)]))?.message).toEqual(v.message);
    const keyed = new InboundVerifier(14);
    keyed.setKey(macKeyOf(v), 'PROTO_BAD_MAC');
    keyed.establish();
    expect(keyed.accept(only([bytesOf(v)]))).toBeUndefined();
    expect(keyed.discarded).toBe(1);
    // Not even the body is parsed: a MAC-less ERROR with a broken body is dropped all the same.
    expect(keyed.accept(only([h('5453 01 0f 0000 00000000 00000000 00000003 830151')]))).toBeUndefined();
  });

  it('a private-class (ignorable) tag is skipped, a context tag is not', () => {
    const body = h('8006542d30303031 84080123456789abcdef df0103010203');
    expect(decodeBody(0x10, body)).toEqual({ type: 'validityRequest', terminalId: 'T-0001', mediumId: h('0123456789abcdef') });
  });
});

function errorOf(v: ErrorVector, chunks: Buffer[]): string {
  const max = v.receiver === 'handshake' ? PROTOCOL_LIMITS.handshakeFrameBytesMax : PROTOCOL_LIMITS.frameBytesMax;
  const ver = new InboundVerifier(v.receiver === 'handshake' ? 0 : v.receiver.lastSeq);
  if (v.receiver !== 'handshake') ver.setKey(macKeyOf(v.receiver), 'PROTO_BAD_MAC');
  if (v.receiver !== 'handshake' && v.receiver.established !== false) ver.establish();
  try {
    const d = new FrameDecoder(max);
    for (const c of chunks) d.push(c, (f) => ver.accept(f));
  } catch (e) {
    if (isProtocolError(e)) return e.code;
    throw e;
  }
  return 'no error';
}

describe.each(ERROR_VECTORS.map((v) => [v.name, v] as [string, ErrorVector]))('error vector %s', (_name, v) => {
  it(`fails with ${v.code}, whole and split at every offset`, () => {
    const bytes = bytesOf(v);
    expect(errorOf(v, [bytes])).toBe(v.code);
    for (let i = 1; i < bytes.length; i++) expect(errorOf(v, [bytes.subarray(0, i), bytes.subarray(i)])).toBe(v.code);
  });
});

describe.each(BODY_VECTORS.map((v) => [v.name, v] as [string, BodyVector]))('body vector %s', (_name, v) => {
  it(`decodes to ${v.result}`, () => {
    let got = 'ok';
    try {
      decodeBody(v.code, bytesOf(v));
    } catch (e) {
      if (!isProtocolError(e)) throw e;
      got = e.code;
    }
    expect(got).toBe(v.result);
  });
});

describe('PROTOCOL.md', () => {
  const doc = readFileSync(new URL('../../protocol/PROTOCOL.md', import.meta.url), 'utf8');
  it.each(FRAME_VECTORS.map((v) => [v.name, v] as [string, FrameVector]))('carries the bytes of vector %s', (_n, v) => {
    for (const field of v.bytes) expect(doc).toContain(field);
    expect(doc).toContain(`### ${v.name}`);
  });
  it.each(ERROR_VECTORS.map((v) => [v.name, v] as [string, ErrorVector]))('carries error vector %s and its code', (_n, v) => {
    expect(doc).toContain(`${v.name} → ${v.code}`);
    for (const field of v.bytes) expect(doc).toContain(field);
  });
  it.each(BODY_VECTORS.map((v) => [v.name, v] as [string, BodyVector]))('carries body vector %s and its result', (_n, v) => {
    expect(doc).toContain(`${v.name} → ${v.result}`);
    for (const field of v.bytes) expect(doc).toContain(field);
  });
  it('carries the derived keys', () => {
    for (const k of Object.values(FIXED_KEYS.main)) expect(doc).toContain(k.toString('hex'));
  });
});
