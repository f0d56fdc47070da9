/** Fleet status: a terminal's software and protocol version and its device states (protocol version 2; PROTOCOL.md §6.8). */
import { DEVICE_KIND, DEVICE_STATE, MSG, TAG } from '../codes.js';
import { protoError } from '../errors.js';
import { PROTOCOL_LIMITS } from '../limits.js';
import { ascii, oneOf, uint } from '../tlv/fields.js';
import { codec } from './codec.js';
import { optAscii, optional, PRINTABLE } from './fields.js';
import type { DeviceStatus, TerminalStatus, TerminalStatusAck } from './types.js';

const DEVICE_REASON_RE = new RegExp(`^[A-Z0-9_]{1,${PROTOCOL_LIMITS.deviceReasonBytesMax}}$`);
const SOFTWARE_VERSION_RE = PRINTABLE(1, PROTOCOL_LIMITS.softwareVersionBytesMax);

export const terminalStatus = codec<TerminalStatus>({
  code: MSG.TERMINAL_STATUS, type: 'terminalStatus', kind: 'request',
  encode: (w, m) => {
    w.ascii(TAG.SOFTWARE_VERSION, m.softwareVersion).u16(TAG.PROTOCOL_VERSION, m.protocolVersion);
    for (const d of m.devices) {
      w.nested(TAG.DEVICE, (c) => {
        c.u8(TAG.DEVICE_KIND, d.kind).u8(TAG.DEVICE_STATE, d.state);
        if (d.reason !== undefined) c.ascii(TAG.DEVICE_REASON, d.reason);
      });
    }
  },
  decode: (f) => {
    const softwareVersion = ascii(TAG.SOFTWARE_VERSION, f.one(TAG.SOFTWARE_VERSION), SOFTWARE_VERSION_RE);
    const protocolVersion = uint(TAG.PROTOCOL_VERSION, f.one(TAG.PROTOCOL_VERSION), 2);
    if (protocolVersion === 0) throw protoError('PROTO_TLV_BAD_VALUE', 'protocol version 0', { tag: '0x9f2c' });
    const seen = new Set<number>();
    const devices = f.nested(TAG.DEVICE, PROTOCOL_LIMITS.devicesPerStatusMax).map((c): DeviceStatus => {
      const d: DeviceStatus = {
        kind: oneOf(TAG.DEVICE_KIND, uint(TAG.DEVICE_KIND, c.one(TAG.DEVICE_KIND), 1), DEVICE_KIND),
        state: oneOf(TAG.DEVICE_STATE, uint(TAG.DEVICE_STATE, c.one(TAG.DEVICE_STATE), 1), DEVICE_STATE),
        ...optional('reason', optAscii(c, TAG.DEVICE_REASON, DEVICE_REASON_RE)),
      };
      c.done();
      // One entry per kind: two states for one reader would leave the center guessing.
      if (seen.has(d.kind)) throw protoError('PROTO_TLV_BAD_VALUE', 'device kind reported twice', { tag: '0x9f2d' });
      seen.add(d.kind);
      return d;
    });
    return { type: 'terminalStatus', softwareVersion, protocolVersion, devices };
  },
});

export const terminalStatusAck = codec<TerminalStatusAck>({
  code: MSG.TERMINAL_STATUS_ACK, type: 'terminalStatusAck', kind: 'response',
  encode: () => undefined,
  decode: () => ({ type: 'terminalStatusAck' }),
});
