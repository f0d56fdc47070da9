/**
 * What an attacker does to the listener, logged and counted (docs/ERRORS.md
 * tells operators to suspect an attacker on these codes). Each kind is
 * counted always and logged at warn, at most CENTER_LIMITS.securityLogLinesPerWindowMax
 * lines per CENTER_LIMITS.securityLogWindowMs; the next logged line carries how many were
 * left out. A line names the peer address and the terminal id (claimed, before
 * authentication), never key material. The counts are what /metrics exports.
 */
import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../core/log.js';
import type { ProtocolError } from '../../protocol/errors.js';
import { CENTER_LIMITS } from '../limits.js';

export const SECURITY_EVENTS = {
  badMac: 'frame MAC did not verify (tampering or wrong session keys)',
  replay: 'frame sequence did not increase (replay)',
  sequenceGap: 'frame sequence skipped ahead (dropped or injected frame)',
  macMissing: 'frame that needs a MAC came without one',
  authFailed: 'handshake proof did not verify (unknown terminal or wrong key)',
  tooManyConnections: 'connection refused at a connection limit',
  handshakeTimeout: 'connection did not authenticate in time',
  frameTimeout: 'frame not completed in time (slow drip)',
} as const;

export type SecurityEvent = keyof typeof SECURITY_EVENTS;
export type SecurityCounts = Record<SecurityEvent, number>;

export interface SecurityEventFields {
  /** Remote address:port. */
  peer: string;
  /** The authenticated terminal, or the id claimed in HELLO. */
  terminalId?: string | undefined;
  /** Which limit refused a connection, and the like (never key material). */
  detail?: string;
}

/** The security event a locally detected protocol error stands for, if any (errors the peer sent us are not). */
export function securityEventOf(e: ProtocolError): SecurityEvent | undefined {
  if (e.details?.['remote'] === true) return undefined;
  switch (e.code) {
    case 'PROTO_BAD_MAC':
      return 'badMac';
    case 'PROTO_REPLAY':
      return 'replay';
    case 'PROTO_SEQUENCE_GAP':
      return 'sequenceGap';
    case 'PROTO_MAC_MISSING':
      return 'macMissing';
    case 'PROTO_AUTH_FAILED':
      return 'authFailed';
    case 'PROTO_TOO_MANY_CONNECTIONS':
      return 'tooManyConnections';
    case 'PROTO_TIMEOUT':
      return e.details?.['frame'] === true ? 'frameTimeout' : undefined;
    default:
      return undefined;
  }
}

interface Window {
  startMs: number;
  lines: number;
  suppressed: number;
}

export class SecurityLog {
  private readonly counts = Object.fromEntries(Object.keys(SECURITY_EVENTS).map((k) => [k, 0])) as SecurityCounts;
  private readonly windows = new Map<SecurityEvent, Window>();

  constructor(private readonly log: Logger, private readonly clock: Clock) {}

  /** Counts the event; true when a line was written (false while the kind is over its window's lines). */
  record(event: SecurityEvent, f: SecurityEventFields): boolean {
    this.counts[event]++;
    const now = this.clock.monoMs();
    let w = this.windows.get(event);
    if (!w || now - w.startMs >= CENTER_LIMITS.securityLogWindowMs) {
      w = { startMs: now, lines: 0, suppressed: w?.suppressed ?? 0 };
      this.windows.set(event, w);
    }
    if (w.lines >= CENTER_LIMITS.securityLogLinesPerWindowMax) {
      w.suppressed++;
      return false;
    }
    w.lines++;
    const suppressed = w.suppressed;
    w.suppressed = 0;
    this.log.warn(
      {
        security: event,
        peer: f.peer,
        ...(f.terminalId !== undefined && { terminalId: f.terminalId }),
        ...(f.detail !== undefined && { detail: f.detail }),
        total: this.counts[event],
        ...(suppressed > 0 && { suppressed }),
      },
      `security: ${SECURITY_EVENTS[event]}`,
    );
    return true;
  }

  /** A snapshot: events of each kind since the listener started. */
  snapshot(): SecurityCounts {
    return { ...this.counts };
  }
}
