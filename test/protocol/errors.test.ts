import { describe, expect, it } from 'vitest';
import { allRegistries } from '../../core/errors.js';
import { PROTO_ERRORS, PROTO_WIRE_CODES, protoCodeFromWire } from '../../protocol/errors.js';

// Pinned: a change here is a wire-protocol change (append only, never renumber).
const PINNED: Record<string, number> = {
  PROTO_BAD_MAGIC: 0x01, PROTO_BAD_VERSION: 0x02, PROTO_BAD_HEADER: 0x03, PROTO_FRAME_TOO_LARGE: 0x04,
  PROTO_TRUNCATED_FRAME: 0x05, PROTO_BAD_MAC: 0x10, PROTO_MAC_MISSING: 0x11, PROTO_REPLAY: 0x12,
  PROTO_SEQUENCE_GAP: 0x13, PROTO_SEQUENCE_EXHAUSTED: 0x14, PROTO_UNKNOWN_MESSAGE: 0x20,
  PROTO_UNEXPECTED_MESSAGE: 0x21, PROTO_TLV_TRUNCATED: 0x30, PROTO_TLV_BAD_TAG: 0x31, PROTO_TLV_BAD_LENGTH: 0x32,
  PROTO_TLV_UNKNOWN_TAG: 0x33, PROTO_TLV_DUPLICATE_TAG: 0x34, PROTO_TLV_MISSING_TAG: 0x35, PROTO_TLV_BAD_VALUE: 0x36,
  PROTO_TLV_TOO_DEEP: 0x37, PROTO_TLV_TOO_MANY: 0x38, PROTO_AUTH_FAILED: 0x40, PROTO_TIMEOUT: 0x50,
  PROTO_TOO_MANY_IN_FLIGHT: 0x51, PROTO_UNKNOWN_REQUEST: 0x52, PROTO_DUPLICATE_REQUEST_ID: 0x53,
  PROTO_HANDLER_FAILED: 0x54, PROTO_TOO_MANY_CONNECTIONS: 0x55, PROTO_CLOSED: 0x56, PROTO_NO_CENTER: 0x57,
  PROTO_SEAL_FAILED: 0x60, PROTO_WRITE_OVERFLOW: 0x61, PROTO_VERSION_UNSUPPORTED: 0x41,
};

describe('protocol error registry', () => {
  it('is pinned: codes and wire numbers', () => {
    expect(PROTO_WIRE_CODES).toEqual(PINNED);
    expect(Object.keys(PROTO_ERRORS).sort()).toEqual(Object.keys(PINNED).sort());
  });

  it('has unique wire numbers that map back to their codes', () => {
    const nums = Object.values(PROTO_WIRE_CODES);
    expect(new Set(nums).size).toBe(nums.length);
    for (const [code, n] of Object.entries(PROTO_WIRE_CODES)) expect(protoCodeFromWire(n)).toBe(code);
    expect(protoCodeFromWire(0xfffe)).toBeUndefined();
  });

  it('is registered under the protocol area with a meaning and an action for each code', () => {
    const reg = allRegistries().get('protocol');
    expect(reg).toBeDefined();
    for (const spec of Object.values(PROTO_ERRORS)) {
      expect(spec.meaning.length).toBeGreaterThan(10);
      expect(spec.action.length).toBeGreaterThan(3);
    }
  });
});
