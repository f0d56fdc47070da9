/**
 * The terminal's link to the center: keeps one authenticated session up
 * across a list of center addresses (failover, exponential backoff with
 * seeded jitter), bounds outstanding requests, times them out, and retries
 * after a timeout or a lost session. A retry rebuilds the request for the new
 * session (sealed fields are per session) from the same builder, so it
 * carries the same transaction id: retries are idempotent at the center.
 */
import { systemClock, type Clock, type TimerHandle } from '../../core/clock.js';
import { silentLogger, type Logger } from '../../core/log.js';
import { systemRandom, type Random } from '../../core/random.js';
import { isProtocolError, protoError, type ProtocolError, type ProtoErrorCode } from '../../protocol/errors.js';
import { PROTOCOL_LIMITS } from '../../protocol/limits.js';
import type { CenterResponse, TerminalRequest } from '../../protocol/messages/types.js';
import { Channel } from '../../protocol/session/channel.js';
import { connectSocket, type PeerAddress } from '../../protocol/session/connect.js';
import { terminalHandshake } from '../../protocol/session/handshake.js';
import { RpcSession } from '../../protocol/session/rpc.js';
import { sessionSealer, type SessionSealer } from '../../protocol/session/sealer.js';
import type { VersionRange } from '../../protocol/versions.js';
import { backoffDelayMs, DEFAULT_BACKOFF, type BackoffPolicy } from './backoff.js';

export type CenterAddress = PeerAddress;

export interface LinkClientOptions {
  terminalId: string;
  terminalKey: Buffer;
  centers: readonly CenterAddress[];
  clock?: Clock;
  random?: Random;
  logger?: Logger;
  backoff?: BackoffPolicy;
  requestTimeoutMs?: number;
  /** Attempts per request, first included. */
  maxAttempts?: number;
  maxInFlight?: number;
  pingIntervalMs?: number;
  /** Protocol versions this terminal speaks (default SPOKEN: N-1 to N; PROTOCOL.md §4.6). */
  protocolVersions?: VersionRange;
}

export interface LinkSession {
  readonly sealer: SessionSealer;
  readonly centerIndex: number;
  /** The protocol version agreed with this center (1 with a center built before versioning). */
  readonly protocolVersion: number;
}

export type RequestBuilder = TerminalRequest | ((session: LinkSession) => TerminalRequest);

export interface LinkEvents {
  up: (s: LinkSession) => void;
  down: (reason: ProtocolError) => void;
  /** A session could not be opened (connect or handshake failed, e.g. PROTO_AUTH_FAILED for an unknown terminal). */
  fail: (reason: ProtocolError) => void;
}

interface Live extends LinkSession {
  rpc: RpcSession;
}

/** Outcomes after which the same request may be sent again. */
const RETRYABLE: ReadonlySet<ProtoErrorCode> = new Set(['PROTO_TIMEOUT', 'PROTO_CLOSED', 'PROTO_TRUNCATED_FRAME', 'PROTO_HANDLER_FAILED', 'PROTO_NO_CENTER']);

export class LinkClient {
  private readonly clock: Clock;
  private readonly random: Random;
  private readonly log: Logger;
  private live: Live | undefined;
  private running = false;
  private outstanding = 0;
  private failures = 0;
  private nextCenter = 0;
  private wake: { timer: TimerHandle; resolve: () => void } | undefined;
  private waiters = new Set<() => void>();
  private listeners: { [K in keyof LinkEvents]: Array<LinkEvents[K]> } = { up: [], down: [], fail: [] };

  constructor(private readonly o: LinkClientOptions) {
    if (o.centers.length === 0 || o.centers.length > PROTOCOL_LIMITS.centerAddressesMax) {
      throw protoError('PROTO_NO_CENTER', 'need 1..centerAddressesMax center addresses', { count: o.centers.length });
    }
    this.clock = o.clock ?? systemClock;
    this.random = o.random ?? systemRandom;
    this.log = o.logger ?? silentLogger;
  }

  get isUp(): boolean {
    return this.live !== undefined;
  }

  /** The live session, if one is up. */
  get liveSession(): LinkSession | undefined {
    return this.live;
  }

  on<K extends keyof LinkEvents>(event: K, fn: LinkEvents[K]): void {
    this.listeners[event].push(fn);
  }

  /** Starts keeping a session up (returns at once; see `on('up')`). */
  start(): void {
    if (this.running) return;
    this.running = true;
    void this.loop();
  }

  /** Ends the session and stops reconnecting; outstanding requests fail with PROTO_CLOSED. */
  async close(): Promise<void> {
    this.running = false;
    this.wake?.timer.cancel();
    this.wake?.resolve();
    this.live?.rpc.close();
    for (const w of this.waiters) w();
  }

  /**
   * Sends a request and resolves with the center's response (a coded
   * business outcome, e.g. VALIDITY_NAK, is a response, not an error).
   * Rejects with a ProtocolError after the last attempt.
   */
  async request(build: RequestBuilder, opts: { timeoutMs?: number; attempts?: number } = {}): Promise<CenterResponse> {
    if (this.outstanding >= (this.o.maxInFlight ?? PROTOCOL_LIMITS.inFlightPerSessionMax)) {
      throw protoError('PROTO_TOO_MANY_IN_FLIGHT', 'link client in-flight limit reached');
    }
    this.outstanding++;
    try {
      return await this.attempt(build, opts.timeoutMs ?? this.o.requestTimeoutMs ?? PROTOCOL_LIMITS.requestTimeoutMsDefault, opts.attempts ?? this.o.maxAttempts ?? PROTOCOL_LIMITS.requestAttemptsMax);
    } finally {
      this.outstanding--;
    }
  }

  private async attempt(build: RequestBuilder, timeoutMs: number, attempts: number): Promise<CenterResponse> {
    let last: ProtocolError = protoError('PROTO_NO_CENTER', 'no attempt made');
    for (let i = 0; i < attempts; i++) {
      try {
        const s = await this.session(timeoutMs);
        const req = typeof build === 'function' ? build(s) : build;
        return (await s.rpc.request(req, timeoutMs)) as CenterResponse;
      } catch (e) {
        if (!isProtocolError(e)) throw e;
        last = e;
        if (!RETRYABLE.has(e.code) || !this.running) break;
        this.log.debug({ code: e.code, attempt: i + 1 }, 'request attempt failed');
      }
    }
    throw last;
  }

  /** The live session, waiting up to timeoutMs for one. */
  private session(timeoutMs: number): Promise<Live> {
    if (this.live) return Promise.resolve(this.live);
    if (!this.running) return Promise.reject(protoError('PROTO_CLOSED', 'link client not running'));
    return new Promise((resolve, reject) => {
      const done = (): void => {
        timer.cancel();
        this.waiters.delete(done);
        if (this.live) resolve(this.live);
        else reject(protoError('PROTO_NO_CENTER', 'no center session'));
      };
      const timer = this.clock.setTimer(timeoutMs, done);
      this.waiters.add(done);
    });
  }

  private async loop(): Promise<void> {
    while (this.running) {
      const index = this.nextCenter % this.o.centers.length;
      const live = await this.open(index).catch((e: unknown) => {
        const code = isProtocolError(e) ? e.code : 'INTERNAL';
        // A refusal is not a network blip: the operator must fix the key or the terminal's registration.
        if (code === 'PROTO_AUTH_FAILED') this.log.error({ code, center: index, terminalId: this.o.terminalId }, 'not authorised: the center refused this terminal (wrong key file or terminal id not registered there)');
        else if (code === 'PROTO_VERSION_UNSUPPORTED') this.log.error({ code, center: index }, 'the center speaks no protocol version this terminal speaks: upgrade the older side (centers first)');
        else this.log.info({ code, center: index }, 'center session failed');
        this.emit('fail', isProtocolError(e) ? e : protoError('PROTO_NO_CENTER', 'session open failed'));
        return undefined;
      });
      if (live) {
        this.failures = 0;
        const reason = await this.serve(live);
        this.emit('down', reason);
      } else {
        this.failures++;
        this.nextCenter++; // fail over to the next address
      }
      if (this.running) await this.sleep(backoffDelayMs(this.failures, this.o.backoff ?? DEFAULT_BACKOFF, this.random));
    }
  }

  private async open(centerIndex: number): Promise<Live> {
    const addr = this.o.centers[centerIndex] as CenterAddress;
    const socket = await connectSocket(addr, this.clock, PROTOCOL_LIMITS.handshakeTimeoutMs);
    socket.on('error', () => undefined);
    const ch = new Channel(socket, { clock: this.clock, logger: this.log });
    const keys = await terminalHandshake(ch, {
      terminalId: this.o.terminalId,
      terminalKey: this.o.terminalKey,
      random: this.random,
      ...(this.o.protocolVersions && { versions: this.o.protocolVersions }),
    });
    const rpc = new RpcSession(ch, {
      clock: this.clock,
      acceptRequests: new Set(['ping']),
      ...(this.o.pingIntervalMs !== undefined && { pingIntervalMs: this.o.pingIntervalMs }),
    });
    return { rpc, centerIndex, protocolVersion: keys.protocolVersion, sealer: sessionSealer(keys, 'terminal', this.random) };
  }

  private serve(live: Live): Promise<ProtocolError> {
    return new Promise((resolve) => {
      live.rpc.channel.onClose((reason) => {
        if (this.live === live) this.live = undefined;
        resolve(reason);
      });
      if (live.rpc.channel.isClosed) return resolve(protoError('PROTO_CLOSED', 'session closed at once'));
      this.live = live;
      this.emit('up', live);
      for (const w of [...this.waiters]) w();
      if (!this.running) live.rpc.close();
    });
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = this.clock.setTimer(ms, () => {
        this.wake = undefined;
        resolve();
      });
      this.wake = { timer, resolve };
    });
  }

  private emit<K extends keyof LinkEvents>(event: K, arg: Parameters<LinkEvents[K]>[0]): void {
    for (const fn of this.listeners[event]) (fn as (a: typeof arg) => void)(arg);
  }
}
