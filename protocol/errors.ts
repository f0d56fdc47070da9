/**
 * The protocol's one error registry (prefix PROTO_). Each code has a stable
 * numeric wire code, carried in ERROR frames (PROTOCOL.md §7). A test pins
 * both; never renumber, only append.
 */
import { defineErrors, TesseraError } from '../core/errors.js';

export const PROTO_ERRORS = defineErrors('protocol', 'PROTO_', {
  PROTO_BAD_MAGIC: { meaning: 'A frame did not start with the magic bytes "TS".', action: 'Check the peer speaks Tessera (not TLS into a plain port or vice versa).' },
  PROTO_BAD_VERSION: { meaning: 'A frame carried an unsupported protocol version.', action: 'Upgrade the older side.' },
  PROTO_BAD_HEADER: { meaning: 'Reserved flag bits were set or the header fields contradict each other.', action: 'Report the peer software as non-conforming.' },
  PROTO_FRAME_TOO_LARGE: { meaning: 'A frame declared a length above the maximum for the session phase.', action: 'Split the data (fewer records per frame) or report the peer.' },
  PROTO_TRUNCATED_FRAME: { meaning: 'The connection ended in the middle of a frame.', action: 'Usually a network drop; the client reconnects.' },
  PROTO_BAD_MAC: { meaning: 'A frame MAC did not verify: altered in transit or wrong session keys.', action: 'Suspect tampering; check the terminal key provisioning.' },
  PROTO_MAC_MISSING: { meaning: 'A frame that must be authenticated came without a MAC.', action: 'Report the peer software as non-conforming.' },
  PROTO_REPLAY: { meaning: 'A frame sequence number did not increase: replayed or reordered.', action: 'Suspect an active attacker on the path.' },
  PROTO_SEQUENCE_GAP: { meaning: 'A frame sequence number skipped ahead: a frame was dropped or injected.', action: 'Suspect an active attacker on the path.' },
  PROTO_SEQUENCE_EXHAUSTED: { meaning: 'A session used up its sequence numbers.', action: 'None: the client reconnects with a new session.' },
  PROTO_UNKNOWN_MESSAGE: { meaning: 'A frame carried a message code not in the catalog.', action: 'Upgrade the older side.' },
  PROTO_UNEXPECTED_MESSAGE: { meaning: 'A known message arrived in a state or direction where it is not allowed.', action: 'Report the peer software as non-conforming.' },
  PROTO_TLV_TRUNCATED: { meaning: 'A TLV ran past the end of its enclosing value.', action: 'Report the peer software as non-conforming.' },
  PROTO_TLV_BAD_TAG: { meaning: 'A TLV tag was 0x00 or longer than two bytes (tags are raw values as in EMV: 9F 02 is a valid tag).', action: 'Report the peer software as non-conforming.' },
  PROTO_TLV_BAD_LENGTH: { meaning: 'A TLV length was indefinite, longer than three bytes, or not minimally encoded.', action: 'Report the peer software as non-conforming.' },
  PROTO_TLV_UNKNOWN_TAG: { meaning: 'A non-ignorable TLV tag is not defined for this message.', action: 'Upgrade the older side.' },
  PROTO_TLV_DUPLICATE_TAG: { meaning: 'A non-repeatable TLV tag occurred twice.', action: 'Report the peer software as non-conforming.' },
  PROTO_TLV_MISSING_TAG: { meaning: 'A mandatory TLV was absent.', action: 'Report the peer software as non-conforming.' },
  PROTO_TLV_BAD_VALUE: { meaning: 'A TLV value had the wrong size, range or character set.', action: 'Report the peer software as non-conforming.' },
  PROTO_TLV_TOO_DEEP: { meaning: 'Constructed TLVs were nested deeper than allowed.', action: 'Report the peer software as non-conforming.' },
  PROTO_TLV_TOO_MANY: { meaning: 'A TLV list held more items than allowed.', action: 'Split the data over several requests.' },
  PROTO_AUTH_FAILED: { meaning: 'The handshake proof did not verify (unknown terminal, wrong key, or wrong callback token).', action: 'Check the terminal is registered and its key provisioned.' },
  PROTO_TIMEOUT: { meaning: 'No response, handshake step, whole handshake or complete frame within the allowed time (PROTOCOL.md §8).', action: 'Check network latency and center load; the client retries. Repeated frame or handshake deadlines from one address in the security log suggest a slow-drip attack.' },
  PROTO_TOO_MANY_IN_FLIGHT: { meaning: 'A request exceeded the in-flight limit of the session.', action: 'Wait for responses before sending more.' },
  PROTO_UNKNOWN_REQUEST: { meaning: 'A response named a request id that is not in flight.', action: 'Report the peer software as non-conforming.' },
  PROTO_DUPLICATE_REQUEST_ID: { meaning: 'A request reused a request id that is still in flight.', action: 'Report the peer software as non-conforming.' },
  PROTO_HANDLER_FAILED: { meaning: 'The receiving side failed internally while handling a request.', action: 'Check the center log for the cause; the client may retry.' },
  PROTO_TOO_MANY_CONNECTIONS: { meaning: 'The listener is at a connection limit: sessions (listen.maxConnections) or connections still in the handshake (in all or from one address).', action: 'Add center capacity or raise listen.maxConnections; many refusals from few addresses in the security log suggest a flood.' },
  PROTO_CLOSED: { meaning: 'The session closed while a request was outstanding.', action: 'None: the client reconnects and retries with the same transaction id.' },
  PROTO_NO_CENTER: { meaning: 'No center address accepted a session.', action: 'Check network and center status.' },
  PROTO_SEAL_FAILED: { meaning: 'A sealed field (PIN block, security code) failed to open.', action: 'Suspect tampering or a key mismatch.' },
  PROTO_WRITE_OVERFLOW: { meaning: 'The peer stopped reading and the write queue hit its limit.', action: 'Check the peer; the session is closed.' },
  PROTO_VERSION_UNSUPPORTED: { meaning: 'The two sides of a handshake speak no protocol version in common (PROTOCOL.md §4.6).', action: 'Upgrade the older side: centers first, then terminals; a release speaks its own version and the one before.' },
} as const);

export type ProtoErrorCode = keyof typeof PROTO_ERRORS;

/** Stable wire numbers for ERROR frames (u16). Append only. */
export const PROTO_WIRE_CODES: Readonly<Record<ProtoErrorCode, number>> = {
  PROTO_BAD_MAGIC: 0x0001,
  PROTO_BAD_VERSION: 0x0002,
  PROTO_BAD_HEADER: 0x0003,
  PROTO_FRAME_TOO_LARGE: 0x0004,
  PROTO_TRUNCATED_FRAME: 0x0005,
  PROTO_BAD_MAC: 0x0010,
  PROTO_MAC_MISSING: 0x0011,
  PROTO_REPLAY: 0x0012,
  PROTO_SEQUENCE_GAP: 0x0013,
  PROTO_SEQUENCE_EXHAUSTED: 0x0014,
  PROTO_UNKNOWN_MESSAGE: 0x0020,
  PROTO_UNEXPECTED_MESSAGE: 0x0021,
  PROTO_TLV_TRUNCATED: 0x0030,
  PROTO_TLV_BAD_TAG: 0x0031,
  PROTO_TLV_BAD_LENGTH: 0x0032,
  PROTO_TLV_UNKNOWN_TAG: 0x0033,
  PROTO_TLV_DUPLICATE_TAG: 0x0034,
  PROTO_TLV_MISSING_TAG: 0x0035,
  PROTO_TLV_BAD_VALUE: 0x0036,
  PROTO_TLV_TOO_DEEP: 0x0037,
  PROTO_TLV_TOO_MANY: 0x0038,
  PROTO_AUTH_FAILED: 0x0040,
  PROTO_TIMEOUT: 0x0050,
  PROTO_TOO_MANY_IN_FLIGHT: 0x0051,
  PROTO_UNKNOWN_REQUEST: 0x0052,
  PROTO_DUPLICATE_REQUEST_ID: 0x0053,
  PROTO_HANDLER_FAILED: 0x0054,
  PROTO_TOO_MANY_CONNECTIONS: 0x0055,
  PROTO_CLOSED: 0x0056,
  PROTO_NO_CENTER: 0x0057,
  PROTO_SEAL_FAILED: 0x0060,
  PROTO_WRITE_OVERFLOW: 0x0061,
  PROTO_VERSION_UNSUPPORTED: 0x0041,
};

const byWire = new Map<number, ProtoErrorCode>(
  (Object.entries(PROTO_WIRE_CODES) as Array<[ProtoErrorCode, number]>).map(([c, n]) => [n, c]),
);

/** The registry code for a wire number, or undefined for a number this version does not know. */
export function protoCodeFromWire(wire: number): ProtoErrorCode | undefined {
  return byWire.get(wire);
}

export class ProtocolError extends TesseraError<ProtoErrorCode> {
  /** Request id the error concerns (0 = the session as a whole). */
  readonly requestId: number;
  constructor(code: ProtoErrorCode, message: string, details?: Record<string, unknown> & { requestId?: number }) {
    super(code, message, details);
    this.requestId = details?.requestId ?? 0;
  }
}

export function protoError(code: ProtoErrorCode, message: string, details?: Record<string, unknown>): ProtocolError {
  return new ProtocolError(code, message, details);
}

export function isProtocolError(e: unknown): e is ProtocolError {
  return e instanceof ProtocolError;
}
