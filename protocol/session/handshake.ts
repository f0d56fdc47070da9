/**
 * The four handshakes of PROTOCOL.md §4.1: the terminal's and the center's
 * side of a terminal-opened session, and both sides of the center-opened
 * callback session (seed 004). Each returns the session keys once the peer
 * has proven it holds the terminal key; any failure closes the channel with
 * a coded error and rejects.
 */
import type { Random } from '../../core/random.js';
import { safeEqual } from '../crypto/mac.js';
import { deriveSessionKeys, NONCE_BYTES, proofOf, TERMINAL_KEY_BYTES, type SessionKeys } from '../crypto/keys.js';
import { protoError, type ProtocolError } from '../errors.js';
import { PROTOCOL_LIMITS } from '../limits.js';
import type { Message, MessageOf, MessageType } from '../messages/types.js';
import { agreeVersion, isRange, PROTOCOL_VERSION_UNNAMED, SPOKEN, type VersionRange } from '../versions.js';
import type { Channel } from './channel.js';

export interface HandshakeCommon {
  random: Random;
  timeoutMs?: number;
}

async function expect<T extends MessageType>(ch: Channel, type: T, timeoutMs: number | undefined): Promise<MessageOf<T>> {
  const r = await ch.next(timeoutMs ?? PROTOCOL_LIMITS.handshakeTimeoutMs);
  if (r.message.type !== type) throw failWith(ch, protoError('PROTO_UNEXPECTED_MESSAGE', `expected ${type}`, { got: r.message.type }));
  return r.message as MessageOf<T>;
}

function failWith(ch: Channel, e: ProtocolError): ProtocolError {
  ch.fail(e);
  return e;
}

function checkProof(ch: Channel, expected: Buffer, got: Buffer): void {
  if (!safeEqual(expected, got)) throw failWith(ch, protoError('PROTO_AUTH_FAILED', 'handshake proof did not verify'));
}

function send(ch: Channel, m: Message): void {
  ch.send(m);
}

function unsupported(ch: Channel, detail: Record<string, unknown>): ProtocolError {
  return failWith(ch, protoError('PROTO_VERSION_UNSUPPORTED', 'no protocol version in common', detail));
}

export interface VersionOption {
  /** The protocol versions this side speaks (PROTOCOL.md §4.6); default SPOKEN (N-1 to N). */
  versions?: VersionRange;
}

/**
 * Terminal side of a terminal-opened session. Names its versions in AUTH
 * (a range of only version 1 is sent as no version TLVs, byte for byte a
 * version-1 AUTH) and returns the version the center chose: 1 when AUTH_OK
 * names none (a version-1 center).
 */
export async function terminalHandshake(
  ch: Channel,
  o: HandshakeCommon & VersionOption & { terminalId: string; terminalKey: Buffer },
): Promise<SessionKeys & { protocolVersion: number }> {
  const own = o.versions ?? SPOKEN;
  const nonceT = o.random.bytes(NONCE_BYTES);
  send(ch, { type: 'hello', terminalId: o.terminalId, nonce: nonceT });
  const { nonce: nonceC } = await expect(ch, 'challenge', o.timeoutMs);
  const keys = deriveSessionKeys(o.terminalKey, nonceT, nonceC, o.terminalId);
  ch.setKeys(keys.macT2c, keys.macC2t);
  const named = own.max > PROTOCOL_VERSION_UNNAMED ? { protocolVersion: own.max, ...(own.min !== own.max && { protocolVersionMin: own.min }) } : {};
  send(ch, { type: 'auth', proof: proofOf(keys, 'terminal', nonceT, nonceC), ...named });
  const ok = await expect(ch, 'authOk', o.timeoutMs);
  checkProof(ch, proofOf(keys, 'center', nonceT, nonceC), ok.proof);
  const chosen = ok.protocolVersion ?? PROTOCOL_VERSION_UNNAMED;
  // A center may only choose a version the terminal named (AUTH_OK is MAC'd: this is not a downgrade by a third party).
  if (chosen < own.min || chosen > own.max) throw unsupported(ch, { chosen, min: own.min, max: own.max });
  ch.establish();
  return { ...keys, protocolVersion: chosen };
}

export type TerminalKeyLookup = (terminalId: string) => Promise<Buffer | undefined>;

/**
 * Center side of a terminal-opened session. An unknown terminal gets a
 * challenge like any other (under a random key), so the failure looks the
 * same as a wrong key: PROTO_AUTH_FAILED, no hint which terminals exist.
 */
export async function centerHandshake(
  ch: Channel,
  o: HandshakeCommon & VersionOption & { lookup: TerminalKeyLookup },
): Promise<{ terminalId: string; keys: SessionKeys; protocolVersion: number }> {
  const hello = await expect(ch, 'hello', o.timeoutMs);
  const found = await o.lookup(hello.terminalId);
  const key = found?.length === TERMINAL_KEY_BYTES ? found : o.random.bytes(TERMINAL_KEY_BYTES);
  const nonceC = o.random.bytes(NONCE_BYTES);
  const keys = deriveSessionKeys(key, hello.nonce, nonceC, hello.terminalId);
  send(ch, { type: 'challenge', nonce: nonceC });
  ch.setKeys(keys.macC2t, keys.macT2c);
  const auth = await expect(ch, 'auth', o.timeoutMs);
  checkProof(ch, proofOf(keys, 'terminal', hello.nonce, nonceC), auth.proof);
  if (found === undefined) throw failWith(ch, protoError('PROTO_AUTH_FAILED', 'handshake proof did not verify'));
  // Only an authenticated terminal learns that its version is refused; the refusal is MAC'd (§4.6).
  const peer = { min: auth.protocolVersionMin ?? auth.protocolVersion ?? PROTOCOL_VERSION_UNNAMED, max: auth.protocolVersion ?? PROTOCOL_VERSION_UNNAMED };
  const own = o.versions ?? SPOKEN;
  const chosen = isRange(peer) ? agreeVersion(peer, own) : undefined;
  if (chosen === undefined) throw unsupported(ch, { terminalMin: peer.min, terminalMax: peer.max, centerMin: own.min, centerMax: own.max });
  // A terminal that named no version gets no version TLV back: a version-1 AUTH_OK, byte for byte.
  send(ch, { type: 'authOk', proof: proofOf(keys, 'center', hello.nonce, nonceC), ...(auth.protocolVersion !== undefined && { protocolVersion: chosen }) });
  ch.establish();
  return { terminalId: hello.terminalId, keys, protocolVersion: chosen };
}

/** Center side of the callback session: the center dialled, and challenges the terminal. */
export async function centerCallbackHandshake(
  ch: Channel,
  o: HandshakeCommon & { terminalId: string; terminalKey: Buffer; token: Buffer },
): Promise<SessionKeys> {
  const nonceC = o.random.bytes(NONCE_BYTES);
  send(ch, { type: 'callbackHello', terminalId: o.terminalId, token: o.token, nonce: nonceC });
  const answer = await expect(ch, 'callbackAuth', o.timeoutMs);
  const keys = deriveSessionKeys(o.terminalKey, answer.nonce, nonceC, o.terminalId);
  // Keys first: the terminal holds them since it sent CALLBACK_AUTH, so a refusal goes out MAC'd.
  ch.setKeys(keys.macC2t, keys.macT2c);
  checkProof(ch, proofOf(keys, 'callback', o.token, answer.nonce, nonceC), answer.proof);
  ch.establish();
  send(ch, { type: 'authOk', proof: proofOf(keys, 'center', answer.nonce, nonceC) });
  return keys;
}

/** Terminal side of the callback session: accepts only an awaited token for its own id. */
export async function terminalCallbackHandshake(
  ch: Channel,
  o: HandshakeCommon & { terminalId: string; terminalKey: Buffer; acceptToken: (token: Buffer) => boolean },
): Promise<{ keys: SessionKeys; token: Buffer }> {
  const hello = await expect(ch, 'callbackHello', o.timeoutMs);
  if (hello.terminalId !== o.terminalId || !o.acceptToken(hello.token)) {
    throw failWith(ch, protoError('PROTO_AUTH_FAILED', 'callback not awaited'));
  }
  const nonceT = o.random.bytes(NONCE_BYTES);
  const keys = deriveSessionKeys(o.terminalKey, nonceT, hello.nonce, o.terminalId);
  send(ch, { type: 'callbackAuth', nonce: nonceT, proof: proofOf(keys, 'callback', hello.token, nonceT, hello.nonce) });
  ch.setKeys(keys.macT2c, keys.macC2t);
  const ok = await expect(ch, 'authOk', o.timeoutMs);
  checkProof(ch, proofOf(keys, 'center', nonceT, hello.nonce), ok.proof);
  ch.establish();
  return { keys, token: hello.token };
}
