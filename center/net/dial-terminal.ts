/**
 * The center-initiated callback session (seed 004): the center dials the
 * terminal's registered address, challenges it (CALLBACK_HELLO with the
 * token from AWAIT_CALLBACK), checks the answer, and can then send the
 * settlement instruction as a request.
 */
import type { ConnectionOptions } from 'node:tls';
import { systemClock, type Clock } from '../../core/clock.js';
import { silentLogger, type Logger } from '../../core/log.js';
import { systemRandom, type Random } from '../../core/random.js';
import type { ProtocolError } from '../../protocol/errors.js';
import { connectSocket } from '../../protocol/session/connect.js';
import { PROTOCOL_LIMITS } from '../../protocol/limits.js';
import type { CallbackRequest, CallbackResponse } from '../../protocol/messages/types.js';
import { Channel } from '../../protocol/session/channel.js';
import { centerCallbackHandshake } from '../../protocol/session/handshake.js';
import { RpcSession } from '../../protocol/session/rpc.js';
import { sessionSealer, type SessionSealer } from '../../protocol/session/sealer.js';

export interface TerminalAddress {
  host: string;
  port: number;
  tls?: ConnectionOptions;
}

export interface DialOptions {
  terminalKey: Buffer;
  /** The token sent in AWAIT_CALLBACK. */
  token: Buffer;
  clock?: Clock;
  random?: Random;
  logger?: Logger;
  timeoutMs?: number;
}

export interface CallbackSession {
  readonly terminalId: string;
  /** Seals SECURITY_CODE for this terminal. */
  readonly sealer: SessionSealer;
  request(req: CallbackRequest, timeoutMs?: number): Promise<CallbackResponse>;
  close(): void;
  /** Resolves with the reason once the session has ended. */
  readonly closed: Promise<ProtocolError>;
}

export async function dialTerminal(address: TerminalAddress, terminalId: string, o: DialOptions): Promise<CallbackSession> {
  const clock = o.clock ?? systemClock;
  const random = o.random ?? systemRandom;
  const timeoutMs = o.timeoutMs ?? PROTOCOL_LIMITS.handshakeTimeoutMs;
  const socket = await connectSocket(address, clock, timeoutMs);
  socket.on('error', () => undefined);
  const ch = new Channel(socket, { clock, logger: o.logger ?? silentLogger });
  const closed = new Promise<ProtocolError>((resolve) => ch.onClose(resolve));
  const keys = await centerCallbackHandshake(ch, { terminalId, terminalKey: o.terminalKey, token: o.token, random, timeoutMs });
  const rpc = new RpcSession(ch, { clock, acceptRequests: new Set(['ping']), pingIntervalMs: 0 });
  return {
    terminalId,
    sealer: sessionSealer(keys, 'center', random),
    request: (req, t) => rpc.request(req, t) as Promise<CallbackResponse>,
    close: () => rpc.close(),
    closed,
  };
}
