/**
 * The receive pipeline after framing (PROTOCOL.md §4.3, in this order):
 * MAC present? (keys set: MAC-less frames are never parsed) → MAC (constant
 * time) → sequence → known message code → phase (no handshake message once
 * established) → header/kind consistency → TLV body.
 */
import { FLAG_RESPONSE, MSG } from '../codes.js';
import { verifyFrameMac } from '../crypto/mac.js';
import { protoError, type ProtoErrorCode } from '../errors.js';
import type { RawFrame } from '../frame/decoder.js';
import type { FrameHeader } from '../frame/header.js';
import { codecByCode, decodeBody } from '../messages/catalog.js';
import type { Message } from '../messages/types.js';

export interface Received {
  header: FrameHeader;
  message: Message;
  /** True when the frame carried a valid MAC. */
  authenticated: boolean;
}

/** Codes that travel without a MAC before the receiver has keys (ERROR also: a fatal one before keys exist). */
const UNAUTHENTICATED: ReadonlySet<number> = new Set([MSG.HELLO, MSG.CHALLENGE, MSG.CALLBACK_HELLO, MSG.CALLBACK_AUTH, MSG.ERROR]);

export class InboundVerifier {
  private macKey: Buffer | undefined;
  /** During the handshake a MAC failure means a wrong terminal key. */
  private macFailure: ProtoErrorCode = 'PROTO_BAD_MAC';
  private established = false;
  /** MAC-less ERROR frames dropped after the keys existed (PROTOCOL.md §4.3). */
  discarded = 0;

  /** `lastSeq`: the last authenticated sequence number already accepted (0 for a new session). */
  constructor(private lastSeq = 0) {}

  setKey(key: Buffer, macFailure: ProtoErrorCode): void {
    this.macKey = key;
    this.macFailure = macFailure;
  }

  setMacFailure(code: ProtoErrorCode): void {
    this.macFailure = code;
  }

  /** The handshake is over: from now on a handshake message is PROTO_UNEXPECTED_MESSAGE. */
  establish(): void {
    this.established = true;
    this.macFailure = 'PROTO_BAD_MAC';
  }

  /**
   * The checked message, or `undefined` for a frame that is dropped unread: a
   * MAC-less ERROR once the keys exist (it cannot be authenticated, so it may
   * neither close the session nor be answered). Anything else wrong throws a
   * coded ProtocolError.
   */
  accept(f: RawFrame): Received | undefined {
    const h = f.header;
    if (this.macKey !== undefined) {
      if (f.mac === undefined) {
        if (h.code === MSG.ERROR) {
          this.discarded++;
          return undefined;
        }
        throw protoError('PROTO_MAC_MISSING', 'frame needs a MAC once the session keys exist', { code: h.code });
      }
      this.checkMacAndSeq(f, this.macKey);
    } else if (f.mac !== undefined) {
      throw protoError('PROTO_UNEXPECTED_MESSAGE', 'authenticated frame before the session keys exist');
    } else if (!UNAUTHENTICATED.has(h.code)) {
      throw protoError('PROTO_MAC_MISSING', 'frame needs a MAC', { code: h.code });
    }
    const kind = codecByCode(h.code).kind;
    if (this.established && kind === 'handshake') throw protoError('PROTO_UNEXPECTED_MESSAGE', 'handshake message after the handshake', { code: h.code });
    checkKind(kind, h, f.mac !== undefined);
    return { header: h, message: decodeBody(h.code, f.body), authenticated: f.mac !== undefined };
  }

  private checkMacAndSeq(f: RawFrame, key: Buffer): void {
    const h = f.header;
    if (!verifyFrameMac(key, f.signed, f.mac as Buffer)) throw protoError(this.macFailure, 'frame MAC did not verify', { seq: h.seq });
    if (h.seq <= this.lastSeq) throw protoError('PROTO_REPLAY', 'sequence did not increase', { seq: h.seq, last: this.lastSeq });
    if (h.seq !== this.lastSeq + 1) throw protoError('PROTO_SEQUENCE_GAP', 'sequence skipped', { seq: h.seq, last: this.lastSeq });
    this.lastSeq = h.seq;
  }
}

function checkKind(kind: string, h: FrameHeader, macd: boolean): void {
  const response = (h.flags & FLAG_RESPONSE) !== 0;
  const ok =
    kind === 'handshake' ? h.requestId === 0 && !response && macd === (h.code === MSG.AUTH || h.code === MSG.AUTH_OK)
    : kind === 'request' ? h.requestId !== 0 && !response
    : kind === 'response' ? h.requestId !== 0 && response
    : response === (h.requestId !== 0);
  if (!ok) throw protoError('PROTO_BAD_HEADER', 'flags or request id do not fit the message kind', { code: h.code });
}
