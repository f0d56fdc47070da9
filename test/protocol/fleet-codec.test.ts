/**
 * TERMINAL_STATUS and the versioned AUTH / AUTH_OK bodies under property
 * tests: every valid message round-trips; random and mutated bodies are a
 * decoded message that round-trips or a registry-coded ProtocolError, never
 * anything else; sizes stay within their limits.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEVICE_KIND, DEVICE_STATE, MSG } from '../../protocol/codes.js';
import { isProtocolError, PROTO_WIRE_CODES } from '../../protocol/errors.js';
import { PROTOCOL_LIMITS } from '../../protocol/limits.js';
import { decodeBody, encodeBodyToBuffer } from '../../protocol/messages/catalog.js';
import type { Message, TerminalStatus } from '../../protocol/messages/types.js';
import { applyEdit, editArb } from './support/mutate.js';

const CODES = new Set(Object.keys(PROTO_WIRE_CODES));

const statusArb: fc.Arbitrary<TerminalStatus> = fc.record({
  type: fc.constant('terminalStatus' as const),
  softwareVersion: fc.stringMatching(/^[\x20-\x7e]{1,32}$/),
  protocolVersion: fc.integer({ min: 1, max: 0xffff }),
  devices: fc.uniqueArray(
    fc.record(
      {
        kind: fc.constantFrom(...Object.values(DEVICE_KIND)),
        state: fc.constantFrom(...Object.values(DEVICE_STATE)),
        reason: fc.stringMatching(/^[A-Z0-9_]{1,40}$/),
      },
      { requiredKeys: ['kind', 'state'] },
    ),
    { selector: (d) => d.kind, maxLength: 4 },
  ),
});

function outcome(code: number, body: Buffer): string {
  try {
    const m = decodeBody(code, body);
    expect(decodeBody(code, encodeBodyToBuffer(m))).toEqual(m);
    return 'ok';
  } catch (e) {
    if (isProtocolError(e) && CODES.has(e.code)) return e.code;
    throw e;
  }
}

describe('TERMINAL_STATUS and versioned AUTH bodies', () => {
  it('every valid TERMINAL_STATUS round-trips', () => {
    fc.assert(
      fc.property(statusArb, (m) => {
        expect(decodeBody(MSG.TERMINAL_STATUS, encodeBodyToBuffer(m))).toEqual(m);
      }),
      { numRuns: 2000, seed: 11 },
    );
  });

  it('a full TERMINAL_STATUS (longest fields) stays far below a handshake-sized frame', () => {
    const m: TerminalStatus = {
      type: 'terminalStatus', softwareVersion: 'v'.repeat(PROTOCOL_LIMITS.softwareVersionBytesMax), protocolVersion: 0xffff,
      devices: Object.values(DEVICE_KIND).map((kind) => ({ kind, state: DEVICE_STATE.HARDWARE_ERROR, reason: 'X'.repeat(PROTOCOL_LIMITS.deviceReasonBytesMax) })),
    };
    expect(encodeBodyToBuffer(m).length).toBeLessThan(PROTOCOL_LIMITS.handshakeFrameBytesMax);
  });

  it('mutated valid bodies and random bytes are a round-tripping message or a coded error', () => {
    const auth: Message = { type: 'auth', proof: Buffer.alloc(32, 1), protocolVersion: 2, protocolVersionMin: 1 };
    const authOk: Message = { type: 'authOk', proof: Buffer.alloc(32, 2), protocolVersion: 2 };
    fc.assert(
      fc.property(statusArb, fc.array(editArb, { minLength: 1, maxLength: 3 }), fc.uint8Array({ maxLength: 96 }), (m, edits, random) => {
        let body = encodeBodyToBuffer(m);
        for (const e of edits) body = applyEdit(body, e, 0);
        outcome(MSG.TERMINAL_STATUS, body);
        outcome(MSG.TERMINAL_STATUS, Buffer.from(random));
        for (const [code, base] of [[MSG.AUTH, auth], [MSG.AUTH_OK, authOk]] as const) {
          let b = encodeBodyToBuffer(base);
          for (const e of edits) b = applyEdit(b, e, 0);
          outcome(code, b);
          outcome(code, Buffer.from(random));
        }
      }),
      { numRuns: 3000, seed: 12 },
    );
  });
});
