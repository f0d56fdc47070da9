/**
 * Every named maximum of the wire protocol (TigerBeetle style): buffers,
 * lists, in-flight maps, timeouts and retries. Relations between them are
 * asserted at module load, so a bad edit fails at start, not in production.
 */
import { assert } from '../core/assert.js';

export const PROTOCOL_LIMITS = {
  /** Fixed frame header size in bytes (see PROTOCOL.md §2). */
  HEADER_BYTES: 18,
  /** Truncated HMAC-SHA-256 tag appended to authenticated frames. */
  MAC_BYTES: 16,
  /** Largest whole frame (header + body + MAC) accepted once a session is up. */
  MAX_FRAME_BYTES: 256 * 1024,
  /** Largest whole frame accepted before the peer has authenticated. */
  MAX_HANDSHAKE_FRAME_BYTES: 512,
  /** Deepest nesting of constructed TLVs inside a body (body itself = depth 0). */
  MAX_TLV_DEPTH: 4,
  /** Most TLVs in one constructed value or at the top level of one body. */
  MAX_TLV_ITEMS: 4096,
  /** Most purchase records in one upload or settle request. */
  MAX_RECORDS_PER_FRAME: 2000,
  /** Most notes in one CASH_NOTES_REPORT. */
  MAX_NOTES_PER_REPORT: 200,
  /** Most note keys in one CASH_COLLECTION (a cash box holding more is collected in one go but cannot be booked: PROTOCOL.md §6.7). */
  MAX_NOTES_PER_COLLECTION: 4000,
  /** Most devices in one TERMINAL_STATUS (one per DEVICE_KIND; room for kinds to come). */
  MAX_DEVICES_PER_STATUS: 8,
  /** Most bytes of TERMINAL_STATUS's SOFTWARE_VERSION. */
  MAX_SOFTWARE_VERSION_BYTES: 32,
  /** Most bytes of a device's coded reason (DEVICE_REASON). */
  MAX_DEVICE_REASON_BYTES: 40,
  /** Most vouchers combined in one redemption. */
  MAX_VOUCHERS_PER_REDEEM: 16,
  /** Most requests one side may have outstanding on one session. */
  MAX_IN_FLIGHT_PER_SESSION: 32,
  /** Most authenticated sessions one center listener serves (config `listen.maxConnections`). */
  MAX_CONNECTIONS: 1024,
  /** Most connections still in the handshake, counted apart from MAX_CONNECTIONS so they never take a session's place. */
  MAX_UNAUTHENTICATED_CONNECTIONS: 128,
  /** Most connections still in the handshake from one source address. */
  MAX_UNAUTHENTICATED_PER_SOURCE: 16,
  /** Most center addresses a link client rotates through. */
  MAX_CENTER_ADDRESSES: 8,
  /** Most callback tokens a terminal awaits at once. */
  MAX_AWAITED_CALLBACKS: 4,
  /** Bytes queued for writing on one socket before the session is closed as stuck. */
  MAX_PENDING_WRITE_BYTES: 4 * 1024 * 1024,
  /** Each handshake step must arrive within this time (the terminal also bounds its TCP connect with it). */
  HANDSHAKE_TIMEOUT_MS: 10_000,
  /** The center closes a connection that has not authenticated this long after its accept (whole handshake). */
  UNAUTHENTICATED_TIMEOUT_MS: 5_000,
  /** A frame must be complete this long after its first byte arrived (slow-drip defence), at any stage. */
  FRAME_COMPLETE_TIMEOUT_MS: 10_000,
  /** Default time a requester waits for a response. */
  REQUEST_TIMEOUT_MS: 10_000,
  /** A session with no frame received for this long is closed. */
  IDLE_TIMEOUT_MS: 60_000,
  /** Keep-alive ping interval (must be well under IDLE_TIMEOUT_MS). */
  PING_INTERVAL_MS: 15_000,
  /** Link client reconnect backoff: first delay, cap, and jitter fraction. */
  RECONNECT_BASE_MS: 100,
  RECONNECT_MAX_MS: 30_000,
  RECONNECT_JITTER: 0.2,
  /** Most attempts of one request (first try included) by the link client. */
  MAX_REQUEST_ATTEMPTS: 4,
  /** Most time a terminal waits for the center's callback after AWAIT_CALLBACK. */
  MAX_CALLBACK_WAIT_MS: 10 * 60_000,
} as const;

const L = PROTOCOL_LIMITS;
assert(L.MAX_HANDSHAKE_FRAME_BYTES >= L.HEADER_BYTES + L.MAC_BYTES + 128, 'handshake frame too small for HELLO');
assert(L.MAX_FRAME_BYTES > L.MAX_HANDSHAKE_FRAME_BYTES, 'session frames must be allowed to be larger');
assert(L.MAX_FRAME_BYTES <= 0xffff_ffff, 'body length is a u32');
assert(L.MAX_RECORDS_PER_FRAME * 96 < L.MAX_FRAME_BYTES, 'a full record list must fit in one frame');
assert(L.MAX_RECORDS_PER_FRAME <= L.MAX_TLV_ITEMS, 'record lists are bounded by the TLV item limit');
assert(L.MAX_NOTES_PER_COLLECTION + 8 <= L.MAX_TLV_ITEMS && L.MAX_NOTES_PER_COLLECTION * 20 < L.MAX_FRAME_BYTES, 'a full collection fits one frame');
assert(L.MAX_NOTES_PER_REPORT * 64 < L.MAX_FRAME_BYTES, 'a full cash notes report fits one frame');
assert(L.PING_INTERVAL_MS * 3 <= L.IDLE_TIMEOUT_MS, 'idle timeout must allow several missed pings');
assert(L.RECONNECT_BASE_MS < L.RECONNECT_MAX_MS, 'backoff base below cap');
assert(L.RECONNECT_JITTER >= 0 && L.RECONNECT_JITTER < 1, 'jitter is a fraction');
assert(L.MAX_PENDING_WRITE_BYTES >= 4 * L.MAX_FRAME_BYTES, 'write queue holds several full frames');
assert(L.MAX_UNAUTHENTICATED_CONNECTIONS < L.MAX_CONNECTIONS, 'unauthenticated connections get a smaller cap than sessions');
assert(L.MAX_UNAUTHENTICATED_PER_SOURCE < L.MAX_UNAUTHENTICATED_CONNECTIONS, 'one source cannot take every handshake slot');
assert(L.UNAUTHENTICATED_TIMEOUT_MS <= L.HANDSHAKE_TIMEOUT_MS, 'the whole handshake deadline is no longer than one step');
assert(L.FRAME_COMPLETE_TIMEOUT_MS <= L.REQUEST_TIMEOUT_MS, 'a frame arrives within the time its requester waits');
assert(L.FRAME_COMPLETE_TIMEOUT_MS < L.IDLE_TIMEOUT_MS, 'a dripped frame fails before the idle timeout would');
assert(L.MAX_IN_FLIGHT_PER_SESSION >= 2, 'validity + transaction need two in flight');
