/**
 * The terminal side of the settlement callback (seed 004): after
 * AWAIT_CALLBACK the terminal expects the center to dial in with the token.
 * Only an awaited token for this terminal id is accepted (once, until it
 * expires); the terminal answers the center's challenge, then serves the
 * center's requests (the SETTLEMENT_INSTRUCTION today) with the injected
 * handler: `onRequest` takes every request type and answers it or refuses it
 * (the agent routes it by type to its role's handler); `onInstruction` is the
 * settlement-only form for a peer that only settles (the center's test
 * terminals).
 */
import { createServer as createTcpServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type TlsOptions } from 'node:tls';
import { assert } from '../../core/assert.js';
import { systemClock, type Clock, type TimerHandle } from '../../core/clock.js';
import { silentLogger, type Logger } from '../../core/log.js';
import { systemRandom, type Random } from '../../core/random.js';
import { safeEqual } from '../../protocol/crypto/mac.js';
import { protoError } from '../../protocol/errors.js';
import { PROTOCOL_LIMITS } from '../../protocol/limits.js';
import { CALLBACK_REQUESTS } from '../../protocol/messages/catalog.js';
import type { RequestMessage, ResponseMessage, SettlementAck, SettlementInstruction } from '../../protocol/messages/types.js';
import { Channel } from '../../protocol/session/channel.js';
import { terminalCallbackHandshake } from '../../protocol/session/handshake.js';
import { RpcSession } from '../../protocol/session/rpc.js';
import { sessionSealer, type SessionSealer } from '../../protocol/session/sealer.js';

export interface CallbackListenerOptions {
  terminalId: string;
  terminalKey: Buffer;
  /**
   * Answers one of the center's requests on a callback session (any type of
   * CALLBACK_REQUESTS but ping). Rejecting with a ProtocolError coded
   * PROTO_UNEXPECTED_MESSAGE refuses it as not served (non-fatal); any other
   * rejection is PROTO_HANDLER_FAILED.
   */
  onRequest?: (msg: RequestMessage, ctx: CallbackSession) => Promise<ResponseMessage>;
  /** Settlement only: executes the instruction (transfer, erase records) and reports what was erased. */
  onInstruction?: (msg: SettlementInstruction, ctx: CallbackSession) => Promise<SettlementAck>;
  clock?: Clock;
  random?: Random;
  logger?: Logger;
  tls?: TlsOptions;
}

/** The session a center's request arrived on. */
export interface CallbackSession {
  readonly sealer: SessionSealer;
  /** The callback token the center presented. */
  readonly token: Buffer;
}

interface Awaited {
  token: Buffer;
  timer: TimerHandle;
}

export class CallbackListener {
  private readonly server: Server;
  private readonly clock: Clock;
  private readonly random: Random;
  private readonly log: Logger;
  private awaited: Awaited[] = [];
  private readonly sockets = new Set<Socket>();

  constructor(private readonly o: CallbackListenerOptions) {
    assert((o.onRequest === undefined) !== (o.onInstruction === undefined), 'CallbackListener: give exactly one of onRequest, onInstruction');
    this.clock = o.clock ?? systemClock;
    this.random = o.random ?? systemRandom;
    this.log = o.logger ?? silentLogger;
    const onConn = (s: Socket): void => this.accept(s);
    this.server = o.tls ? createTlsServer(o.tls, onConn) : createTcpServer(onConn);
  }

  listen(port = 0, host = '127.0.0.1'): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => resolve(this.server.address() as AddressInfo));
    });
  }

  /** Accept one callback carrying `token` within waitMs (capped by PROTOCOL_LIMITS.callbackWaitMsMax). */
  expect(token: Buffer, waitMs: number): void {
    if (this.awaited.length >= PROTOCOL_LIMITS.awaitedCallbacksMax) {
      throw protoError('PROTO_TOO_MANY_IN_FLIGHT', 'too many callbacks awaited');
    }
    const entry: Awaited = {
      token: Buffer.from(token),
      timer: this.clock.setTimer(Math.min(waitMs, PROTOCOL_LIMITS.callbackWaitMsMax), () => this.drop(entry)),
    };
    this.awaited.push(entry);
  }

  get awaitedCount(): number {
    return this.awaited.length;
  }

  close(): Promise<void> {
    for (const a of this.awaited) a.timer.cancel();
    this.awaited = [];
    for (const s of this.sockets) s.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private drop(entry: Awaited): void {
    entry.timer.cancel();
    this.awaited = this.awaited.filter((a) => a !== entry);
  }

  /** One use per token. */
  private take(token: Buffer): boolean {
    const hit = this.awaited.find((a) => safeEqual(a.token, token));
    if (hit) this.drop(hit);
    return hit !== undefined;
  }

  private accept(socket: Socket): void {
    socket.on('error', () => undefined);
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    this.serve(socket).catch((e: unknown) => this.log.warn({ err: e }, 'callback session failed'));
  }

  private async serve(socket: Socket): Promise<void> {
    const ch = new Channel(socket, { clock: this.clock, logger: this.log });
    const hs = await terminalCallbackHandshake(ch, {
      terminalId: this.o.terminalId,
      terminalKey: this.o.terminalKey,
      random: this.random,
      acceptToken: (t) => this.take(t),
    }).catch(() => undefined);
    if (!hs) return;
    const sealer = sessionSealer(hs.keys, 'terminal', this.random);
    new RpcSession(ch, {
      clock: this.clock,
      acceptRequests: CALLBACK_REQUESTS,
      pingIntervalMs: 0,
      onRequest: (req) => this.answer(req, { sealer, token: hs.token }),
    });
  }

  private answer(req: RequestMessage, session: CallbackSession): Promise<ResponseMessage> {
    if (this.o.onRequest) return this.o.onRequest(req, session);
    if (req.type !== 'settlementInstruction') return Promise.reject(protoError('PROTO_UNEXPECTED_MESSAGE', 'request not served by this callback listener', { request: req.type }));
    return this.o.onInstruction!(req, session);
  }
}
