/**
 * Protocol versions (PROTOCOL.md §4.6). The frame header's version byte
 * (`VERSION` in codes.ts) names the frame layout and stays 01; the protocol
 * version names the message catalog and rules a session runs under and is
 * agreed in the handshake: the terminal names the range it speaks in AUTH,
 * the center answers the version it chose in AUTH_OK. Both ride in
 * private-class TLVs, so a version-1 peer, which knows neither, skips them
 * and the session runs at version 1.
 *
 * Version 1: everything up to issue 9. Version 2: TERMINAL_STATUS.
 * A release speaks its own version and the one before (N-1), so a fleet can
 * be upgraded center first, terminals after.
 */
import { assert } from '../core/assert.js';

/** The version this build speaks natively (the highest). */
export const PROTOCOL_VERSION_CURRENT = 2;
/** The lowest version this build still speaks (N-1). */
export const PROTOCOL_VERSION_OLDEST = 1;
/** A session without version TLVs is version 1 (peers built before versioning). */
export const PROTOCOL_VERSION_UNNAMED = 1;
/** The first version with TERMINAL_STATUS. */
export const PROTOCOL_VERSION_TERMINAL_STATUS = 2;

export interface VersionRange {
  readonly min: number;
  readonly max: number;
}

export const SPOKEN: VersionRange = { min: PROTOCOL_VERSION_OLDEST, max: PROTOCOL_VERSION_CURRENT };

assert(PROTOCOL_VERSION_OLDEST >= 1 && PROTOCOL_VERSION_OLDEST <= PROTOCOL_VERSION_CURRENT, 'version range');
assert(PROTOCOL_VERSION_CURRENT - PROTOCOL_VERSION_OLDEST >= 1, 'a release speaks the version before its own (N-1)');
assert(PROTOCOL_VERSION_CURRENT <= 0xffff, 'versions are u16');

/** True when `r` is a well-formed range (1 <= min <= max <= 0xffff). */
export function isRange(r: VersionRange): boolean {
  return Number.isInteger(r.min) && Number.isInteger(r.max) && r.min >= 1 && r.min <= r.max && r.max <= 0xffff;
}

/**
 * The version a session runs at: the highest both ranges hold, or undefined
 * when they do not overlap (the center refuses: PROTO_VERSION_UNSUPPORTED).
 */
export function agreeVersion(peer: VersionRange, own: VersionRange): number | undefined {
  const v = Math.min(peer.max, own.max);
  return v >= Math.max(peer.min, own.min) ? v : undefined;
}
