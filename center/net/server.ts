/**
 * The center's TCP (optionally TLS) listener. Each connection runs the
 * handshake (terminal key from the injected lookup), then dispatches
 * requests to the per-session handler from `onSession`. A bad peer gets a
 * coded error frame and loses its connection; nothing it sends can throw
 * out of here or touch another session.
 *
 * Connections are admitted in two stages (PROTOCOL.md §8): a connection that
 * has not authenticated counts against PROTOCOL_LIMITS.unauthenticatedConnectionsMax (and
 * PROTOCOL_LIMITS.unauthenticatedPerSourceMax for its address) and must authenticate
 * within PROTOCOL_LIMITS.unauthenticatedTimeoutMs; only an authenticated session takes one
 * of the `maxConnections` places, so idle handshakes never lock terminals out.
 * A refused socket gets PROTO_TOO_MANY_CONNECTIONS and is destroyed once that
 * frame is flushed. Attacks are logged and counted (security-log.ts).
 */
import { createServer as createTcpServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type TlsOptions } from 'node:tls';
import { systemClock, type Clock } from '../../core/clock.js';
import { silentLogger, type Logger } from '../../core/log.js';
import { systemRandom, type Random } from '../../core/random.js';
import { errorCode } from '../../core/errors.js';
import { isProtocolError, protoError, PROTO_WIRE_CODES, type ProtocolError } from '../../protocol/errors.js';
import { encodeFrame } from '../../protocol/frame/encoder.js';
import { PROTOCOL_LIMITS } from '../../protocol/limits.js';
import { SESSION_ENDING, TERMINAL_REQUESTS } from '../../protocol/messages/catalog.js';
import type { TerminalRequest } from '../../protocol/messages/types.js';
import { Channel } from '../../protocol/session/channel.js';
import { centerHandshake, type TerminalKeyLookup } from '../../protocol/session/handshake.js';
import type { VersionRange } from '../../protocol/versions.js';
import { RpcSession } from '../../protocol/session/rpc.js';
import { sessionSealer } from '../../protocol/session/sealer.js';
import { SecurityLog, securityEventOf, type SecurityCounts, type SecurityEvent } from './security-log.js';
import type { OnSession } from './types.js';

export interface CenterServerOptions {
  lookupKey: TerminalKeyLookup;
  onSession: OnSession;
  clock?: Clock;
  random?: Random;
  logger?: Logger;
  /** Serve TLS (node:tls) instead of plain TCP. */
  tls?: TlsOptions;
  /** Authenticated sessions served at once (default PROTOCOL_LIMITS.connectionsMaxDefault). */
  maxConnections?: number;
  /** Connections not yet authenticated, in all and per source address. */
  maxUnauthenticated?: number;
  maxUnauthenticatedPerSource?: number;
  /** Whole-handshake deadline from the accept (default PROTOCOL_LIMITS.unauthenticatedTimeoutMs). */
  unauthenticatedTimeoutMs?: number;
  /** Per handshake step (default PROTOCOL_LIMITS.handshakeTimeoutMs). */
  handshakeTimeoutMs?: number;
  /** A frame must be complete this long after its first byte (default PROTOCOL_LIMITS.frameCompleteTimeoutMs). */
  frameTimeoutMs?: number;
  pingIntervalMs?: number;
  idleTimeoutMs?: number;
  /** Protocol versions served (default SPOKEN: N-1 to N; PROTOCOL.md §4.6). */
  protocolVersions?: VersionRange;
  /** Every finished handshake: 'ok', or the protocol code it failed with (metrics). */
  onHandshake?: (outcome: 'ok' | ProtocolError['code']) => void;
}

const L = PROTOCOL_LIMITS;

export class CenterServer {
  private readonly server: Server;
  /** Authenticated sessions. */
  private readonly sessions = new Set<Socket>();
  /** Connections still in the handshake, and how many of them each source address holds. */
  private readonly unauthenticated = new Set<Socket>();
  private readonly perSource = new Map<string, number>();
  /** Refused sockets until their error frame is flushed (close() destroys them too). */
  private readonly refused = new Set<Socket>();
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly security: SecurityLog;

  constructor(private readonly o: CenterServerOptions) {
    this.clock = o.clock ?? systemClock;
    this.log = o.logger ?? silentLogger;
    this.security = new SecurityLog(this.log, this.clock);
    const onConn = (s: Socket): void => this.accept(s);
    // A TLS handshake holds a descriptor before `accept` sees it: bound it by the same deadline.
    const tls = o.tls && { handshakeTimeout: this.unauthenticatedTimeoutMs, ...o.tls };
    this.server = tls ? createTlsServer(tls, onConn) : createTcpServer(onConn);
    // A failure to listen (EADDRINUSE, EACCES) rejects listen(), which the caller reports coded
    // (CENTER_LISTEN_FAILED); only an error of a listening server is logged here.
    this.server.on('error', (e) => {
      if (this.server.listening) this.log.error({ err: e }, 'listener error');
    });
  }

  /** Open connections: authenticated sessions and connections still in the handshake. */
  get connectionCount(): number {
    return this.sessions.size + this.unauthenticated.size;
  }

  /** Security events since start (BAD_MAC, REPLAY, AUTH_FAILED, refused connections, deadlines), for /metrics. */
  securityCounters(): SecurityCounts {
    return this.security.snapshot();
  }

  private get unauthenticatedTimeoutMs(): number {
    return this.o.unauthenticatedTimeoutMs ?? L.unauthenticatedTimeoutMs;
  }

  listen(port = 0, host = '127.0.0.1'): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve(this.server.address() as AddressInfo);
      });
    });
  }

  /** Stops listening and ends every session. */
  close(): Promise<void> {
    for (const set of [this.sessions, this.unauthenticated, this.refused]) for (const s of set) s.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private accept(socket: Socket): void {
    socket.setNoDelay(true);
    socket.on('error', () => undefined); // reported through the channel; never an uncaught 'error'
    const source = socket.remoteAddress ?? '?';
    const peer = peerOf(socket); // read now: a closed socket no longer knows its peer
    const full = this.admission(source);
    if (full) return this.refuse(socket, peer, full);
    this.unauthenticated.add(socket);
    this.perSource.set(source, (this.perSource.get(source) ?? 0) + 1);
    socket.once('close', () => {
      this.leaveUnauthenticated(socket, source);
      this.sessions.delete(socket);
    });
    this.serve(socket, source, peer).catch((e: unknown) => this.log.error({ err: e }, 'session setup failed'));
  }

  /** Which limit a new connection from `source` is over, if any. */
  private admission(source: string): string | undefined {
    if (this.sessions.size >= (this.o.maxConnections ?? L.connectionsMaxDefault)) return 'maxConnections';
    if (this.unauthenticated.size >= (this.o.maxUnauthenticated ?? L.unauthenticatedConnectionsMax)) return 'maxUnauthenticated';
    if ((this.perSource.get(source) ?? 0) >= (this.o.maxUnauthenticatedPerSource ?? L.unauthenticatedPerSourceMax)) return 'maxUnauthenticatedPerSource';
    return undefined;
  }

  private leaveUnauthenticated(socket: Socket, source: string): void {
    if (!this.unauthenticated.delete(socket)) return;
    const n = (this.perSource.get(source) ?? 1) - 1;
    if (n > 0) this.perSource.set(source, n);
    else this.perSource.delete(source);
  }

  /**
   * PROTO_TOO_MANY_CONNECTIONS, then the socket is destroyed as soon as the
   * frame is flushed (or the peer goes first). Whatever the peer sends is
   * read and dropped, so its FIN is seen and nothing holds the descriptor.
   */
  private refuse(socket: Socket, peer: string, limit: string): void {
    this.security.record('tooManyConnections', { peer, detail: limit });
    this.refused.add(socket);
    socket.once('close', () => this.refused.delete(socket));
    socket.once('end', () => socket.destroy());
    socket.resume();
    const wireCode = PROTO_WIRE_CODES.PROTO_TOO_MANY_CONNECTIONS;
    socket.end(encodeFrame({ type: 'error', wireCode, fatal: true }, { seq: 0, requestId: 0, response: false }), () => socket.destroy());
  }

  /** Records a security event, if any; true when its line was written. */
  private note(event: SecurityEvent | undefined, peer: string, terminalId: string | undefined, detail?: string): boolean {
    return event !== undefined && this.security.record(event, { peer, terminalId, ...(detail !== undefined && { detail }) });
  }

  private async serve(socket: Socket, source: string, peer: string): Promise<void> {
    const ch = new Channel(socket, { clock: this.clock, logger: this.log, ...(this.o.frameTimeoutMs !== undefined && { frameTimeoutMs: this.o.frameTimeoutMs }) });
    const random = this.o.random ?? systemRandom;
    let claimed: string | undefined;
    let late = false;
    const deadline = this.clock.setTimer(this.unauthenticatedTimeoutMs, () => {
      late = true;
      this.note('handshakeTimeout', peer, claimed);
      ch.fail(protoError('PROTO_TIMEOUT', 'not authenticated in time'));
    });
    const hs = await centerHandshake(ch, {
      lookup: (id) => {
        claimed = id;
        return this.o.lookupKey(id);
      },
      random,
      timeoutMs: this.o.handshakeTimeoutMs ?? L.handshakeTimeoutMs,
      ...(this.o.protocolVersions && { versions: this.o.protocolVersions }),
    }).catch((e: unknown) => {
      // The channel has already sent the coded error and closed.
      const err = e as ProtocolError;
      this.o.onHandshake?.(err.code);
      const logged = !late && this.note(securityEventOf(err) ?? (err.code === 'PROTO_TIMEOUT' ? 'handshakeTimeout' : undefined), peer, claimed);
      // The operator's line rides on the security log's rate limit: a flood of bad proofs is not a flood of error lines.
      // Only an authenticated terminal gets this far: one line each, for the operator upgrading the fleet.
      if (err.code === 'PROTO_VERSION_UNSUPPORTED') this.log.warn({ code: err.code, peer, terminalId: claimed, ...err.details }, 'terminal refused: it speaks no protocol version this center speaks (upgrade the older side)');
      if (logged && err.code === 'PROTO_AUTH_FAILED') this.log.error({ code: 'PROTO_AUTH_FAILED', peer, ...(claimed !== undefined && { terminalId: claimed }) }, 'terminal not authorised: handshake proof did not verify (wrong terminal key, or terminal id not registered)');
      return undefined;
    });
    deadline.cancel();
    if (!hs || ch.isClosed) return;
    this.leaveUnauthenticated(socket, source);
    if (this.sessions.size >= (this.o.maxConnections ?? L.connectionsMaxDefault)) {
      // Filled up while this one was in the handshake.
      this.note('tooManyConnections', peer, hs.terminalId, 'maxConnections');
      this.o.onHandshake?.('PROTO_TOO_MANY_CONNECTIONS');
      return ch.fail(protoError('PROTO_TOO_MANY_CONNECTIONS', 'session limit reached'));
    }
    this.o.onHandshake?.('ok');
    this.sessions.add(socket);
    const handler = this.o.onSession({ terminalId: hs.terminalId, remoteAddress: peer, protocolVersion: hs.protocolVersion, sealer: sessionSealer(hs.keys, 'center', random) });
    ch.onClose((reason) => {
      this.note(securityEventOf(reason), peer, hs.terminalId);
      handler.onClose(reason);
    });
    new RpcSession(ch, {
      clock: this.clock,
      acceptRequests: TERMINAL_REQUESTS,
      endAfter: SESSION_ENDING,
      onRequest: (req, requestId) => handler.onRequest(req as TerminalRequest, { requestId }).catch((e: unknown) => {
        this.logRefusal(e, { terminalId: hs.terminalId, requestId, request: req.type });
        throw e;
      }),
      ...(this.o.pingIntervalMs !== undefined && { pingIntervalMs: this.o.pingIntervalMs }),
      ...(this.o.idleTimeoutMs !== undefined && { idleTimeoutMs: this.o.idleTimeoutMs }),
    });
  }

  /** A refused request, for the operator: code and message, never a stack (that goes to debug). */
  private logRefusal(e: unknown, at: { terminalId: string; requestId: number; request: string }): void {
    const message = e instanceof Error ? e.message : String(e);
    if (isProtocolError(e) && e.code === 'PROTO_UNEXPECTED_MESSAGE') return this.log.info({ ...at, code: e.code }, 'request type not served by this center');
    this.log.warn({ ...at, code: errorCode(e), message }, 'session handler failed');
    this.log.debug({ ...at, err: e }, 'session handler failure detail');
  }
}

function peerOf(socket: Socket): string {
  return `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? 0}`;
}
