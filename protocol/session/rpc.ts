/**
 * Requests and responses over an established channel (PROTOCOL.md §4.5):
 * request ids, correlation, bounded in-flight both ways, timeouts, keep-alive
 * and idle close. Either side may be the requester (the center is, on a
 * callback session).
 */
import type { Clock, TimerHandle } from '../../core/clock.js';
import { isProtocolError, protoCodeFromWire, protoError, ProtocolError, PROTO_WIRE_CODES } from '../errors.js';
import { PROTOCOL_LIMITS } from '../limits.js';
import { RESPONSES } from '../messages/catalog.js';
import type { Message, RequestMessage, ResponseMessage } from '../messages/types.js';
import type { Channel } from './channel.js';
import type { Received } from './verifier.js';

export interface RpcOptions {
  clock: Clock;
  /** Request types the peer may send us. */
  acceptRequests: ReadonlySet<string>;
  /**
   * Answers a peer request (never called for ping). Rejecting with a
   * ProtocolError coded PROTO_UNEXPECTED_MESSAGE (a request this side does
   * not serve) answers that code, any other rejection a PROTO_HANDLER_FAILED;
   * both non-fatal.
   */
  onRequest?: (req: RequestMessage, requestId: number) => Promise<ResponseMessage>;
  /** Responses after which this side closes the session. */
  endAfter?: ReadonlySet<string>;
  requestTimeoutMs?: number;
  maxInFlight?: number;
  /** 0 disables keep-alive and idle close. */
  pingIntervalMs?: number;
  idleTimeoutMs?: number;
}

interface Pending {
  type: RequestMessage['type'];
  resolve: (m: ResponseMessage) => void;
  reject: (e: ProtocolError) => void;
  timer: TimerHandle;
}

const MAX_EXPIRED = PROTOCOL_LIMITS.inFlightPerSessionMax * 4;

export class RpcSession {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly expired = new Set<number>();
  private readonly serving = new Set<number>();
  private tick: TimerHandle | undefined;
  private lastSendMs: number;

  constructor(readonly channel: Channel, private readonly o: RpcOptions) {
    this.lastSendMs = o.clock.monoMs();
    channel.onClose((reason) => this.onClosed(reason));
    channel.setReceiver((r) => this.onReceived(r));
    this.scheduleTick();
  }

  get inFlight(): number {
    return this.pending.size;
  }

  request(m: RequestMessage, timeoutMs = this.o.requestTimeoutMs ?? PROTOCOL_LIMITS.requestTimeoutMsDefault): Promise<ResponseMessage> {
    if (this.channel.isClosed) return Promise.reject(protoError('PROTO_CLOSED', 'session closed'));
    if (this.pending.size >= (this.o.maxInFlight ?? PROTOCOL_LIMITS.inFlightPerSessionMax)) {
      return Promise.reject(protoError('PROTO_TOO_MANY_IN_FLIGHT', 'in-flight limit reached'));
    }
    const id = this.allocId();
    return new Promise((resolve, reject) => {
      const timer = this.o.clock.setTimer(timeoutMs, () => this.expire(id));
      this.pending.set(id, { type: m.type, resolve, reject, timer });
      this.lastSendMs = this.o.clock.monoMs();
      this.channel.send(m, id, false);
    });
  }

  close(): void {
    this.channel.close();
  }

  private allocId(): number {
    for (;;) {
      const id = this.nextId;
      this.nextId = this.nextId >= 0xffff_ffff ? 1 : this.nextId + 1;
      if (!this.pending.has(id) && !this.expired.has(id)) return id;
    }
  }

  private expire(id: number): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    this.expired.add(id);
    p.reject(protoError('PROTO_TIMEOUT', 'no response in time', { requestId: id, request: p.type }));
    if (this.expired.size > MAX_EXPIRED) this.channel.fail(protoError('PROTO_TIMEOUT', 'peer stopped answering'));
  }

  private onReceived(r: Received): void {
    const m = r.message;
    const id = r.header.requestId;
    if (m.type === 'error') return this.onPeerError(id, m.wireCode);
    const kind = RESPONSES[m.type as RequestMessage['type']] !== undefined ? 'request' : 'response';
    if (kind === 'request') return this.onPeerRequest(m as RequestMessage, id);
    return this.onPeerResponse(m, id);
  }

  private onPeerError(id: number, wireCode: number): void {
    const p = this.pending.get(id);
    if (!p) {
      if (this.expired.delete(id)) return;
      // The id is in this side's request space: the fatal ERROR names no request (request id 0).
      throw protoError('PROTO_UNKNOWN_REQUEST', 'error for a request not in flight', { responseTo: id });
    }
    this.settle(id, p);
    p.reject(new ProtocolError(protoCodeFromWire(wireCode) ?? 'PROTO_HANDLER_FAILED', 'peer refused the request', { requestId: id, remote: true }));
  }

  private onPeerResponse(m: Message, id: number): void {
    const p = this.pending.get(id);
    if (!p) {
      if (this.expired.delete(id)) return; // a late answer to a request we gave up on
      throw protoError('PROTO_UNKNOWN_REQUEST', 'response for a request not in flight', { responseTo: id });
    }
    if (!(RESPONSES[p.type] as readonly string[]).includes(m.type)) {
      throw protoError('PROTO_UNEXPECTED_MESSAGE', 'response does not answer its request', { responseTo: id });
    }
    this.settle(id, p);
    p.resolve(m as ResponseMessage);
  }

  private settle(id: number, p: Pending): void {
    p.timer.cancel();
    this.pending.delete(id);
  }

  private onPeerRequest(m: RequestMessage, id: number): void {
    if (!this.o.acceptRequests.has(m.type)) throw protoError('PROTO_UNEXPECTED_MESSAGE', 'request not allowed on this session', { requestId: id });
    if (this.serving.has(id)) throw protoError('PROTO_DUPLICATE_REQUEST_ID', 'request id already in flight', { requestId: id });
    if (m.type === 'ping') return void this.reply(id, { type: 'pong' });
    if (this.serving.size >= (this.o.maxInFlight ?? PROTOCOL_LIMITS.inFlightPerSessionMax) || !this.o.onRequest) {
      return this.replyError(id, this.o.onRequest ? 'PROTO_TOO_MANY_IN_FLIGHT' : 'PROTO_UNEXPECTED_MESSAGE');
    }
    this.serving.add(id);
    this.o.onRequest(m, id).then(
      (res) => this.answer(m, id, res),
      (e: unknown) => this.answer(m, id, isProtocolError(e) && e.code === 'PROTO_UNEXPECTED_MESSAGE' ? 'PROTO_UNEXPECTED_MESSAGE' : undefined),
    );
  }

  private answer(req: RequestMessage, id: number, res: ResponseMessage | 'PROTO_UNEXPECTED_MESSAGE' | undefined): void {
    this.serving.delete(id);
    if (res === 'PROTO_UNEXPECTED_MESSAGE') return this.replyError(id, res);
    if (res === undefined || !(RESPONSES[req.type] as readonly string[]).includes(res.type)) {
      return this.replyError(id, 'PROTO_HANDLER_FAILED');
    }
    this.reply(id, res);
    if (this.o.endAfter?.has(res.type)) this.channel.close();
  }

  private reply(id: number, res: ResponseMessage): void {
    this.lastSendMs = this.o.clock.monoMs();
    this.channel.send(res, id, true);
  }

  private replyError(id: number, code: 'PROTO_TOO_MANY_IN_FLIGHT' | 'PROTO_HANDLER_FAILED' | 'PROTO_UNEXPECTED_MESSAGE'): void {
    this.channel.send({ type: 'error', wireCode: PROTO_WIRE_CODES[code], fatal: false }, id, true);
  }

  private scheduleTick(): void {
    const every = this.o.pingIntervalMs ?? PROTOCOL_LIMITS.pingIntervalMs;
    if (every <= 0 || this.channel.isClosed) return;
    this.tick = this.o.clock.setTimer(every, () => this.onTick(every));
  }

  private onTick(every: number): void {
    const now = this.o.clock.monoMs();
    if (now - this.channel.lastReceiveMs >= (this.o.idleTimeoutMs ?? PROTOCOL_LIMITS.idleTimeoutMs)) {
      return this.channel.fail(protoError('PROTO_TIMEOUT', 'session idle'));
    }
    if (now - this.lastSendMs >= every && this.pending.size === 0) this.request({ type: 'ping' }).catch(() => undefined);
    this.scheduleTick();
  }

  private onClosed(reason: ProtocolError): void {
    this.tick?.cancel();
    for (const [id, p] of this.pending) {
      p.timer.cancel();
      p.reject(new ProtocolError(reason.code, 'session closed with the request in flight', { requestId: id }));
    }
    this.pending.clear();
  }
}
