import { NAK_REASON, PENDING_CHECK, type NakReason as WireNakReason, type PendingCheck } from '../../protocol/codes.js';
import type { NakReason } from './types.js';
import type { ValidityMode } from './types.js';

/** The engine's refusal reasons on the wire (protocol/codes.ts NAK_REASON). */
export const WIRE_NAK_REASON: Readonly<Record<NakReason, WireNakReason>> = {
  MEDIUM_UNKNOWN: NAK_REASON.MEDIUM_UNKNOWN,
  MEDIUM_LOST: NAK_REASON.MEDIUM_LOST,
  MEDIUM_STOLEN: NAK_REASON.MEDIUM_STOLEN,
  MEDIUM_EXPIRED: NAK_REASON.MEDIUM_EXPIRED,
  MEDIUM_CAPTURED: NAK_REASON.MEDIUM_CAPTURED,
  TERMINAL_UNKNOWN: NAK_REASON.TERMINAL_UNKNOWN,
  TERMINAL_INACTIVE: NAK_REASON.TERMINAL_INACTIVE,
  // The wire has one code for a terminal that may not transact; the log keeps the distinction.
  TERMINAL_BLOCKED: NAK_REASON.TERMINAL_INACTIVE,
  UNAVAILABLE: NAK_REASON.CHECK_UNAVAILABLE,
  // Unreachable over the wire (the codec checks ids); an id the engine cannot judge is unknown.
  BAD_REQUEST: NAK_REASON.MEDIUM_UNKNOWN,
};

/** The side an EARLY_ACK leaves pending, per mode. */
export function pendingCheckOf(mode: ValidityMode): PendingCheck {
  return mode === 'cached-terminal' ? PENDING_CHECK.MEDIUM : PENDING_CHECK.TERMINAL;
}
