/**
 * Every named maximum of the wire protocol (TigerBeetle style): buffers,
 * lists, in-flight maps, timeouts and retries. Relations between them are
 * asserted at module load, so a bad edit fails at start, not in production.
 */
import { assert } from '../core/assert.js';

export const PROTOCOL_LIMITS = {
  /** Fixed frame header size in bytes (see PROTOCOL.md §2). */
  headerBytes: 18,
  /** Truncated HMAC-SHA-256 tag appended to authenticated frames. */
  macBytes: 16,
  /** Largest whole frame (header + body + MAC) accepted once a session is up. */
  frameBytesMax: 256 * 1024,
  /** Largest whole frame accepted before the peer has authenticated. */
  handshakeFrameBytesMax: 512,
  /** Deepest nesting of constructed TLVs inside a body (body itself = depth 0). */
  tlvDepthMax: 4,
  /** Most TLVs in one constructed value or at the top level of one body. */
  tlvItemsMax: 4096,
  /** Most purchase records in one upload or settle request. */
  recordsPerFrameMax: 2000,
  /** Most notes in one CASH_NOTES_REPORT. */
  notesPerReportMax: 200,
  /** Most note keys in one CASH_COLLECTION (a cash box holding more is collected in one go but cannot be booked: PROTOCOL.md §6.7). */
  notesPerCollectionMax: 4000,
  /** Most devices in one TERMINAL_STATUS (one per DEVICE_KIND; room for kinds to come). */
  devicesPerStatusMax: 8,
  /** Most bytes of TERMINAL_STATUS's SOFTWARE_VERSION. */
  softwareVersionBytesMax: 32,
  /** Most bytes of a device's coded reason (DEVICE_REASON). */
  deviceReasonBytesMax: 40,
  /** Most vouchers combined in one redemption. */
  vouchersPerRedeemMax: 16,
  /** Most requests one side may have outstanding on one session. */
  inFlightPerSessionMax: 32,
  /** Most authenticated sessions one center listener serves: default of config `listen.maxConnections` (its bound: CENTER_LIMITS.listenConnectionsMaxMax). */
  connectionsMaxDefault: 1024,
  /** Most connections still in the handshake, counted apart from the sessions so they never take a session's place. */
  unauthenticatedConnectionsMax: 128,
  /** Most connections still in the handshake from one source address. */
  unauthenticatedPerSourceMax: 16,
  /** Most center addresses a link client rotates through. */
  centerAddressesMax: 8,
  /** Most callback tokens a terminal awaits at once. */
  awaitedCallbacksMax: 4,
  /** Bytes queued for writing on one socket before the session is closed as stuck. */
  pendingWriteBytesMax: 4 * 1024 * 1024,
  /** Each handshake step must arrive within this time (the terminal also bounds its TCP connect with it). */
  handshakeTimeoutMs: 10_000,
  /** The center closes a connection that has not authenticated this long after its accept (whole handshake). */
  unauthenticatedTimeoutMs: 5_000,
  /** A frame must be complete this long after its first byte arrived (slow-drip defence), at any stage. */
  frameCompleteTimeoutMs: 10_000,
  /** Default time a requester waits for a response. */
  requestTimeoutMsDefault: 10_000,
  /** A session with no frame received for this long is closed. */
  idleTimeoutMs: 60_000,
  /** Keep-alive ping interval (must be well under idleTimeoutMs). */
  pingIntervalMs: 15_000,
  /** Link client reconnect backoff: first delay, cap (the delay doubles between them), and jitter fraction. */
  reconnectDelayMsMin: 100,
  reconnectDelayMsMax: 30_000,
  reconnectJitterFraction: 0.2,
  /** Most attempts of one request (first try included) by the link client. */
  requestAttemptsMax: 4,
  /** Most time a terminal waits for the center's callback after AWAIT_CALLBACK. */
  callbackWaitMsMax: 10 * 60_000,
} as const;

const L = PROTOCOL_LIMITS;
assert(L.handshakeFrameBytesMax >= L.headerBytes + L.macBytes + 128, 'handshake frame too small for HELLO');
assert(L.frameBytesMax > L.handshakeFrameBytesMax, 'session frames must be allowed to be larger');
assert(L.frameBytesMax <= 0xffff_ffff, 'body length is a u32');
assert(L.recordsPerFrameMax * 96 < L.frameBytesMax, 'a full record list must fit in one frame');
assert(L.recordsPerFrameMax <= L.tlvItemsMax, 'record lists are bounded by the TLV item limit');
assert(L.notesPerCollectionMax + 8 <= L.tlvItemsMax && L.notesPerCollectionMax * 20 < L.frameBytesMax, 'a full collection fits one frame');
assert(L.notesPerReportMax * 64 < L.frameBytesMax, 'a full cash notes report fits one frame');
assert(L.pingIntervalMs * 3 <= L.idleTimeoutMs, 'idle timeout must allow several missed pings');
assert(L.reconnectDelayMsMin < L.reconnectDelayMsMax, 'backoff base below cap');
assert(L.reconnectJitterFraction >= 0 && L.reconnectJitterFraction < 1, 'jitter is a fraction');
assert(L.pendingWriteBytesMax >= 4 * L.frameBytesMax, 'write queue holds several full frames');
assert(L.unauthenticatedConnectionsMax < L.connectionsMaxDefault, 'unauthenticated connections get a smaller cap than sessions');
assert(L.unauthenticatedPerSourceMax < L.unauthenticatedConnectionsMax, 'one source cannot take every handshake slot');
assert(L.unauthenticatedTimeoutMs <= L.handshakeTimeoutMs, 'the whole handshake deadline is no longer than one step');
assert(L.frameCompleteTimeoutMs <= L.requestTimeoutMsDefault, 'a frame arrives within the time its requester waits');
assert(L.frameCompleteTimeoutMs < L.idleTimeoutMs, 'a dripped frame fails before the idle timeout would');
assert(L.inFlightPerSessionMax >= 2, 'validity + transaction need two in flight');
assert(L.requestAttemptsMax >= 1 && L.centerAddressesMax >= 1 && L.awaitedCallbacksMax >= 1, 'a terminal can reach a center and await its answer');
assert(L.vouchersPerRedeemMax >= 1 && L.vouchersPerRedeemMax <= L.tlvItemsMax, 'a redemption names at least one voucher and fits the TLV item limit');
