/** What the center's network layer hands to the flows built on it. */
import type { ProtocolError } from '../../protocol/errors.js';
import type { CenterResponse, TerminalRequest } from '../../protocol/messages/types.js';
import type { SessionSealer } from '../../protocol/session/sealer.js';

export type { TerminalKeyLookup } from '../../protocol/session/handshake.js';

export interface SessionInfo {
  /** Authenticated by the handshake: the peer holds this terminal's key. */
  terminalId: string;
  remoteAddress: string;
  /** The protocol version agreed in the handshake (PROTOCOL.md §4.6). */
  protocolVersion: number;
  /** Opens the PIN block of CHARGE_REQUEST; seals fields sent to this terminal. */
  sealer: SessionSealer;
}

export interface RequestContext {
  requestId: number;
}

/**
 * Per-session request handler, created once per authenticated session, so a
 * flow can keep state across requests (validity early ACK, then the
 * transaction). PING is answered by the network layer and never reaches it.
 */
export interface SessionHandler {
  /**
   * Answers one request with a response allowed for it (PROTOCOL.md §6);
   * a rejection or a wrong response type is sent as a non-fatal
   * PROTO_HANDLER_FAILED, except a rejection with a ProtocolError coded
   * PROTO_UNEXPECTED_MESSAGE (a request type this center does not serve),
   * sent as that code (PROTOCOL.md §7). After VALIDITY_NAK or AWAIT_CALLBACK the
   * session is closed. Up to PROTOCOL_LIMITS.inFlightPerSessionMax calls may overlap.
   */
  onRequest(req: TerminalRequest, ctx: RequestContext): Promise<CenterResponse>;
  /** The session ended (reason.code is PROTO_CLOSED for a normal end). Called once. */
  onClose(reason: ProtocolError): void;
}

export type OnSession = (info: SessionInfo) => SessionHandler;
