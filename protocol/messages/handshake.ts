/** Handshake and control messages (PROTOCOL.md §4, §6.1). */
import { MSG, TAG } from '../codes.js';
import { flag, uint } from '../tlv/fields.js';
import { codec } from './codec.js';
import { nonce, proof, terminalId } from './fields.js';
import { fixed } from '../tlv/fields.js';
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

export const auth = codec<Auth>({
  code: MSG.AUTH, type: 'auth', kind: 'handshake',
  encode: (w, m) => void w.bytes(TAG.PROOF, m.proof),
  decode: (f) => ({ type: 'auth', proof: proof(f) }),
});

export const authOk = codec<AuthOk>({
  code: MSG.AUTH_OK, type: 'authOk', kind: 'handshake',
  encode: (w, m) => void w.bytes(TAG.PROOF, m.proof),
  decode: (f) => ({ type: 'authOk', proof: proof(f) }),
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
