/** Handshake and control messages (PROTOCOL.md §4, §6.1). */
import { MSG, TAG } from '../codes.js';
import { flag, uint } from '../tlv/fields.js';
import { codec } from './codec.js';
import { nonce, optional, proof, terminalId } from './fields.js';
import { fixed, type TlvFields } from '../tlv/fields.js';
import { protoError } from '../errors.js';
import type { Auth, AuthOk, CallbackAuth, CallbackHello, Challenge, ErrorMessage, Hello, Ping, Pong } from './types.js';

export const hello = codec<Hello>({
  code: MSG.HELLO, type: 'hello', kind: 'handshake',
  encode: (w, m) => void w.ascii(TAG.TERMINAL_ID, m.terminalId).bytes(TAG.NONCE, m.nonce),
  decode: (f) => ({ type: 'hello', terminalId: terminalId(f), nonce: nonce(f) }),
});

export const challenge = codec<Challenge>({
  code: MSG.CHALLENGE, type: 'challenge', kind: 'handshake',
  encode: (w, m) => void w.bytes(TAG.NONCE, m.nonce),
  decode: (f) => ({ type: 'challenge', nonce: nonce(f) }),
});

const VERSION_TAGS = [TAG.HANDSHAKE_VERSION, TAG.HANDSHAKE_VERSION_MIN] as const;

/** A version TLV (u16, 1 or more); PROTOCOL.md §4.6. */
function version(f: TlvFields, tag: number): number | undefined {
  const v = f.opt(tag);
  if (v === undefined) return undefined;
  const n = uint(tag, v, 2);
  if (n === 0) throw protoError('PROTO_TLV_BAD_VALUE', 'protocol version 0', { tag: `0x${tag.toString(16)}` });
  return n;
}

export const auth = codec<Auth>({
  code: MSG.AUTH, type: 'auth', kind: 'handshake', privateTags: VERSION_TAGS,
  encode: (w, m) => {
    w.bytes(TAG.PROOF, m.proof);
    if (m.protocolVersion !== undefined) w.u16(TAG.HANDSHAKE_VERSION, m.protocolVersion);
    if (m.protocolVersionMin !== undefined) w.u16(TAG.HANDSHAKE_VERSION_MIN, m.protocolVersionMin);
  },
  decode: (f) => {
    const m: Auth = { type: 'auth', proof: proof(f), ...optional('protocolVersion', version(f, TAG.HANDSHAKE_VERSION)) };
    const min = version(f, TAG.HANDSHAKE_VERSION_MIN);
    if (min === undefined) return m;
    // A minimum without a maximum, or above it, names no range.
    if (m.protocolVersion === undefined || min > m.protocolVersion) throw protoError('PROTO_TLV_BAD_VALUE', 'protocol version range', { tag: '0xdf02' });
    return { ...m, protocolVersionMin: min };
  },
});

export const authOk = codec<AuthOk>({
  code: MSG.AUTH_OK, type: 'authOk', kind: 'handshake', privateTags: [TAG.HANDSHAKE_VERSION],
  encode: (w, m) => {
    w.bytes(TAG.PROOF, m.proof);
    if (m.protocolVersion !== undefined) w.u16(TAG.HANDSHAKE_VERSION, m.protocolVersion);
  },
  decode: (f) => ({ type: 'authOk', proof: proof(f), ...optional('protocolVersion', version(f, TAG.HANDSHAKE_VERSION)) }),
});

export const callbackHello = codec<CallbackHello>({
  code: MSG.CALLBACK_HELLO, type: 'callbackHello', kind: 'handshake',
  encode: (w, m) => void w.ascii(TAG.TERMINAL_ID, m.terminalId).bytes(TAG.NONCE, m.nonce).bytes(TAG.CALLBACK_TOKEN, m.token),
  decode: (f) => ({
    type: 'callbackHello',
    terminalId: terminalId(f),
    nonce: nonce(f),
    token: fixed(TAG.CALLBACK_TOKEN, f.one(TAG.CALLBACK_TOKEN), 16),
  }),
});

export const callbackAuth = codec<CallbackAuth>({
  code: MSG.CALLBACK_AUTH, type: 'callbackAuth', kind: 'handshake',
  encode: (w, m) => void w.bytes(TAG.NONCE, m.nonce).bytes(TAG.PROOF, m.proof),
  decode: (f) => ({ type: 'callbackAuth', nonce: nonce(f), proof: proof(f) }),
});

export const ping = codec<Ping>({
  code: MSG.PING, type: 'ping', kind: 'request',
  encode: () => undefined,
  decode: () => ({ type: 'ping' }),
});

export const pong = codec<Pong>({
  code: MSG.PONG, type: 'pong', kind: 'response',
  encode: () => undefined,
  decode: () => ({ type: 'pong' }),
});

export const error = codec<ErrorMessage>({
  code: MSG.ERROR, type: 'error', kind: 'error',
  encode: (w, m) => void w.u16(TAG.ERROR_CODE, m.wireCode).u8(TAG.FATAL, m.fatal ? 1 : 0),
  decode: (f) => ({
    type: 'error',
    wireCode: uint(TAG.ERROR_CODE, f.one(TAG.ERROR_CODE), 2),
    fatal: flag(TAG.FATAL, f.one(TAG.FATAL)),
  }),
});
