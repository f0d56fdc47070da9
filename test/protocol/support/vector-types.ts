import type { Message } from '../../../protocol/messages/types.js';
import type { ProtoErrorCode } from '../../../protocol/errors.js';

/** Hex literal to Buffer (spaces allowed). */
export const h = (hex: string): Buffer => Buffer.from(hex.replace(/\s+/g, ''), 'hex');

export interface FrameVector {
  name: string;
  /** Which handshake the keys come from. */
  session: 'main' | 'callback';
  dir: 't2c' | 'c2t';
  message: Message;
  /** The frame, one field per element. */
  bytes: string[];
  /** Decodes to `message` but is not canonical (an ignorable tag is dropped on re-encode). */
  ignorable?: boolean;
}

export interface ErrorVector {
  name: string;
  /** Receiving side's state: 'handshake' = no keys yet; otherwise the session/direction keys and last seq seen. */
  receiver: 'handshake' | { session: 'main' | 'callback'; dir: 't2c' | 'c2t'; lastSeq: number; /** false: keys set, handshake not finished. */ established?: boolean };
  bytes: string[];
  code: ProtoErrorCode;
}

/** A message body (no frame) and what its decoder must make of it: PROTOCOL.md §9.4. */
export interface BodyVector {
  name: string;
  /** Message code (§6.0) the body is decoded for. */
  code: number;
  bytes: string[];
  result: 'ok' | ProtoErrorCode;
}
