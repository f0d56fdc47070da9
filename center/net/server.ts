/**
 * The center's TCP (optionally TLS) listener. Each connection runs the
 * handshake (terminal key from the injected lookup), then dispatches
 * requests to the per-session handler from `onSession`. A bad peer gets a
 * coded error frame and loses its connection; nothing it sends can throw
 * out of here or touch another session.
 */
import { createServer as createTcpServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type TlsOptions } from 'node:tls';
import { systemClock, type Clock } from '../../core/clock.js';
import { errorCode } from '../../core/errors.js';
import { silentLogger, type Logger } from '../../core/log.js';
import { systemRandom, type Random } from '../../core/random.js';
import { PROTO_WIRE_CODES } from '../../protocol/errors.js';
import { encodeFrame } from '../../protocol/frame/encoder.js';
import { PROTOCOL_LIMITS } from '../../protocol/limits.js';
import { SESSION_ENDING, TERMINAL_REQUESTS } from '../../protocol/messages/catalog.js';
import type { TerminalRequest } from '../../protocol/messages/types.js';
import { Channel } from '../../protocol/session/channel.js';
import { centerHandshake, type TerminalKeyLookup } from '../../protocol/session/handshake.js';
import { RpcSession } from '../../protocol/session/rpc.js';
import { sessionSealer } from '../../protocol/session/sealer.js';
import type { OnSession } from './types.js';

export interface CenterServerOptions {
  lookupKey: TerminalKeyLookup;
  onSession: OnSession;
  clock?: Clock;
  random?: Random;
  logger?: Logger;
  /** Serve TLS (node:tls) instead of plain TCP. */
  tls?: TlsOptions;
  maxConnections?: number;
  handshakeTimeoutMs?: number;
  pingIntervalMs?: number;
  idleTimeoutMs?: number;
}

export class CenterServer {
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private readonly clock: Clock;
  private readonly log: Logger;

  constructor(private readonly o: CenterServerOptions) {
    this.clock = o.clock ?? systemClock;
    this.log = o.logger ?? silentLogger;
    const onConn = (s: Socket): void => this.accept(s);
    this.server = o.tls ? createTlsServer(o.tls, onConn) : createTcpServer(onConn);
    this.server.on('error', (e) => this.log.error({ err: e }, 'listener error'));
  }

  get connectionCount(): number {
    return this.sockets.size;
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
    for (const s of this.sockets) s.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private accept(socket: Socket): void {
    socket.setNoDelay(true);
    socket.on('error', () => undefined); // reported through the channel; never an uncaught 'error'
    if (this.sockets.size >= (this.o.maxConnections ?? PROTOCOL_LIMITS.MAX_CONNECTIONS)) {
      const wireCode = PROTO_WIRE_CODES.PROTO_TOO_MANY_CONNECTIONS;
      socket.end(encodeFrame({ type: 'error', wireCode, fatal: true }, { seq: 0, requestId: 0, response: false }));
      return;
    }
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    this.serve(socket).catch((e: unknown) => this.log.error({ err: e }, 'session setup failed'));
  }

  private async serve(socket: Socket): Promise<void> {
    const ch = new Channel(socket, { clock: this.clock, logger: this.log });
    const random = this.o.random ?? systemRandom;
    const hs = await centerHandshake(ch, {
      lookup: this.o.lookupKey,
      random,
      timeoutMs: this.o.handshakeTimeoutMs ?? PROTOCOL_LIMITS.HANDSHAKE_TIMEOUT_MS,
    }).catch((e: unknown) => {
      // The channel has already sent the coded error and closed; a refused terminal is logged where the operator looks.
      if (errorCode(e) === 'PROTO_AUTH_FAILED') this.log.error({ code: 'PROTO_AUTH_FAILED', remote: `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? 0}` }, 'terminal not authorised: handshake proof did not verify (wrong terminal key, or terminal id not registered)');
      return undefined;
    });
    if (!hs || ch.isClosed) return;
    const remoteAddress = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? 0}`;
    const handler = this.o.onSession({ terminalId: hs.terminalId, remoteAddress, sealer: sessionSealer(hs.keys, 'center', random) });
    ch.onClose((reason) => handler.onClose(reason));
    new RpcSession(ch, {
      clock: this.clock,
      acceptRequests: TERMINAL_REQUESTS,
      endAfter: SESSION_ENDING,
      onRequest: (req, requestId) => handler.onRequest(req as TerminalRequest, { requestId }).catch((e: unknown) => {
        this.log.warn({ err: e, terminalId: hs.terminalId, requestId }, 'session handler failed');
        throw e;
      }),
      ...(this.o.pingIntervalMs !== undefined && { pingIntervalMs: this.o.pingIntervalMs }),
      ...(this.o.idleTimeoutMs !== undefined && { idleTimeoutMs: this.o.idleTimeoutMs }),
    });
  }
}
