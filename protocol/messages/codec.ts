/** The shape every message codec has: one encode and one decode per message. */
import type { MsgCode } from '../codes.js';
import type { TlvFields } from '../tlv/fields.js';
import type { TlvWriter } from '../tlv/writer.js';
import type { Message } from './types.js';

/**
 * handshake: request id 0, before or while the session keys are set up.
 * request: carries a fresh request id; response: echoes it with FLAG_RESPONSE.
 * error: either (request id 0 for the session as a whole).
 */
export type MessageKind = 'handshake' | 'request' | 'response' | 'error';

export interface MessageCodec<M extends Message = Message> {
  readonly code: MsgCode;
  readonly type: M['type'];
  readonly kind: MessageKind;
  /** Private-class tags this message defines (kept at parse instead of skipped; PROTOCOL.md §3.3, §4.6). */
  readonly privateTags?: readonly number[];
  encode(w: TlvWriter, m: M): void;
  decode(f: TlvFields): M;
}

export function codec<M extends Message>(c: MessageCodec<M>): MessageCodec<M> {
  return c;
}
