/**
 * One framed connection: the frame decoder, the inbound verifier, outbound
 * sequence numbers and MACs, and the close rules of PROTOCOL.md §7 (a bad
 * frame gets a fatal ERROR frame, then the connection closes). Everything a
 * peer sends that is wrong ends up as a coded ProtocolError in `onClose`,
 * never as an exception out of a socket callback.
 */
import type { Socket } from 'node:net';
import type { Clock, TimerHandle } from '../../core/clock.js';
import { silentLogger, type Logger } from '../../core/log.js';
import { isProtocolError, protoCodeFromWire, protoError, PROTO_WIRE_CODES, type ProtocolError, type ProtoErrorCode } from '../errors.js';
import { MSG } from '../codes.js';
import { FrameDecoder, type RawFrame } from '../frame/decoder.js';
import { encodeFrame } from '../frame/encoder.js';
import { PROTOCOL_LIMITS } from '../limits.js';
import type { Message } from '../messages/types.js';
import { InboundVerifier, type Received } from './verifier.js';

export type Role = 'terminal' | 'center';

export interface ChannelOptions {
  clock: Clock;
  logger?: Logger;
  /** A frame must be complete this long after its first byte (default PROTOCOL_LIMITS.frameCompleteTimeoutMs). */
  frameTimeoutMs?: number;
}

const MAX_QUEUED = 4;
const LINGER_MS = 1_000;

export class Channel {
  private readonly decoder = new FrameDecoder(PROTOCOL_LIMITS.handshakeFrameBytesMax);
  private readonly verifier = new InboundVerifier();
  private readonly log: Logger;
  private sendSeq = 0;
  private sendKey: Buffer | undefined;
  private established = false;
  private closed = false;
  private queue: Received[] = [];
  private receiver: ((r: Received) => void) | undefined;
  private closeListeners: Array<(reason: ProtocolError) => void> = [];
  private linger: TimerHandle | undefined;
  private frameTimer: TimerHandle | undefined;
  private framesDelivered = 0;
  lastReceiveMs: number;

  constructor(readonly socket: Socket, private readonly o: ChannelOptions) {
    this.log = o.logger ?? silentLogger;
    this.lastReceiveMs = o.clock.monoMs();
    socket.setNoDelay(true);
    socket.on('data', (c: Buffer) => this.onData(c));
    socket.on('error', (e: NodeJS.ErrnoException) => this.finish(protoError('PROTO_CLOSED', 'socket error', { errno: e.code })));
    socket.on('close', () => {
      const truncated = this.decoder.pendingBytes > 0;
      this.finish(protoError(truncated ? 'PROTO_TRUNCATED_FRAME' : 'PROTO_CLOSED', 'connection closed'));
    });
  }

  get isClosed(): boolean {
    return this.closed;
  }
  get isEstablished(): boolean {
    return this.established;
  }

  /** Installs the session MAC keys; until `establish()`, a MAC failure reads as PROTO_AUTH_FAILED. */
  setKeys(sendKey: Buffer, receiveKey: Buffer): void {
    this.sendKey = sendKey;
    this.verifier.setKey(receiveKey, 'PROTO_AUTH_FAILED');
  }

  /** The handshake is done: full frame size, MAC failures are PROTO_BAD_MAC, handshake messages unexpected. */
  establish(): void {
    this.established = true;
    this.verifier.establish();
    this.decoder.setMaxFrameBytes(PROTOCOL_LIMITS.frameBytesMax);
    this.resumeDecoding();
  }

  /** Sends one message; returns false if the channel is closed. */
  send(m: Message, requestId = 0, response = false): boolean {
    if (this.closed) return false;
    if (this.sendKey && this.sendSeq >= 0xffff_ffff) {
      this.fail(protoError('PROTO_SEQUENCE_EXHAUSTED', 'out of sequence numbers'));
      return false;
    }
    const frame = this.sendKey
      ? encodeFrame(m, { seq: ++this.sendSeq, requestId, response, macKey: this.sendKey })
      : encodeFrame(m, { seq: 0, requestId, response });
    this.socket.write(frame);
    if (this.socket.writableLength > PROTOCOL_LIMITS.pendingWriteBytesMax) {
      this.finish(protoError('PROTO_WRITE_OVERFLOW', 'peer is not reading'));
      this.socket.destroy();
      return false;
    }
    return true;
  }

  /** Next received message (handshake use); rejects on close or timeout. */
  next(timeoutMs: number): Promise<Received> {
    const queued = this.queue.shift();
    if (queued) return Promise.resolve(queued);
    const p = new Promise<Received>((resolve, reject) => {
      if (this.closed) return reject(protoError('PROTO_CLOSED', 'channel closed'));
      const timer = this.o.clock.setTimer(timeoutMs, () => {
        this.receiver = undefined;
        this.fail(protoError('PROTO_TIMEOUT', 'handshake step timed out'));
        reject(protoError('PROTO_TIMEOUT', 'handshake step timed out'));
      });
      const off = this.onClose((reason) => {
        timer.cancel();
        reject(reason);
      });
      this.receiver = (r) => {
        timer.cancel();
        off();
        this.receiver = undefined;
        resolve(r);
      };
    });
    // A frame the peer sent ahead waits in the decoder until the handshake asks for it.
    this.resumeDecoding();
    return p;
  }

  /** Delivers every later message to `fn` (exceptions from fn fail the channel). */
  setReceiver(fn: (r: Received) => void): void {
    this.receiver = fn;
    for (let r = this.queue.shift(); r && !this.closed; r = this.queue.shift()) fn(r);
  }

  onClose(fn: (reason: ProtocolError) => void): () => void {
    this.closeListeners.push(fn);
    return () => {
      this.closeListeners = this.closeListeners.filter((f) => f !== fn);
    };
  }

  /** MAC-less ERROR frames dropped unread since the keys were set (PROTOCOL.md §4.3). */
  get discardedFrames(): number {
    return this.verifier.discarded;
  }

  /**
   * Sends a fatal ERROR frame for `err` (never its message or details), then
   * closes. Once this side has keys the ERROR is MAC'd like every other frame
   * (the peer, holding the same keys by then, would drop a MAC-less one).
   */
  fail(err: ProtocolError): void {
    if (this.closed) return;
    const wireCode = PROTO_WIRE_CODES[err.code];
    const frame = this.sendKey
      ? encodeFrame({ type: 'error', wireCode, fatal: true }, { seq: ++this.sendSeq, requestId: err.requestId, response: err.requestId !== 0, macKey: this.sendKey })
      : encodeFrame({ type: 'error', wireCode, fatal: true }, { seq: 0, requestId: err.requestId, response: err.requestId !== 0 });
    this.log.debug({ code: err.code }, 'closing session on protocol error');
    this.socket.end(frame);
    this.finish(err);
  }

  /** Closes without an error frame (normal end of session). */
  close(): void {
    if (this.closed) return;
    this.socket.end();
    this.finish(protoError('PROTO_CLOSED', 'closed locally'));
  }

  private onData(chunk: Buffer): void {
    this.lastReceiveMs = this.o.clock.monoMs();
    const before = this.framesDelivered;
    this.decode(() => this.decoder.push(chunk, this.deliver));
    this.watchFrame(this.framesDelivered !== before);
  }

  private resumeDecoding(): void {
    const before = this.framesDelivered;
    if (!this.closed) this.decode(() => this.decoder.resume(this.deliver));
    this.watchFrame(this.framesDelivered !== before);
  }

  /**
   * PROTOCOL.md §8: buffered bytes of an incomplete frame must become a whole
   * frame within frameTimeoutMs of the first of them, so a peer dripping a
   * byte now and then cannot hold a session (and its descriptor) forever.
   */
  private watchFrame(progressed: boolean): void {
    if (this.closed || this.decoder.pendingBytes === 0) {
      this.frameTimer?.cancel();
      this.frameTimer = undefined;
      return;
    }
    if (this.frameTimer && !progressed) return; // the same frame is still arriving
    this.frameTimer?.cancel();
    this.frameTimer = this.o.clock.setTimer(this.o.frameTimeoutMs ?? PROTOCOL_LIMITS.frameCompleteTimeoutMs, () => {
      this.frameTimer = undefined;
      if (this.decoder.pendingBytes > 0) this.fail(protoError('PROTO_TIMEOUT', 'frame not completed in time', { frame: true }));
    });
  }

  private readonly deliver = (f: RawFrame): void => {
    // During the handshake one frame at a time: the frames after AUTH_OK in the
    // same segment must be checked against the limit establish() sets, not 512.
    if (!this.established) this.decoder.pause();
    this.framesDelivered++;
    try {
      const r = this.verifier.accept(f);
      if (r) this.onFrame(r);
      else if (this.verifier.discarded === 1) this.log.warn({ code: 'PROTO_MAC_MISSING' }, 'dropped a MAC-less ERROR frame on a keyed session (injected on the path?); later ones are dropped silently');
    } catch (e) {
      // The receiver of an ERROR never answers it, not even a malformed one: it just closes.
      if (f.header.code !== MSG.ERROR || !isProtocolError(e)) throw e;
      this.log.debug({ code: e.code }, 'closing session on a bad ERROR frame');
      this.socket.end();
      this.finish(e);
    }
  };

  private decode(step: () => void): void {
    try {
      step();
    } catch (e) {
      if (isProtocolError(e)) return this.fail(e);
      this.log.error({ err: e }, 'internal error while receiving');
      this.fail(protoError('PROTO_HANDLER_FAILED', 'internal error'));
    }
  }

  private onFrame(r: Received): void {
    if (this.closed) return;
    const m = r.message;
    // A fatal ERROR, one before the keys exist, one for the whole session, or one with a number this
    // side does not know ends the session (PROTOCOL.md §7); it is never answered.
    const known = m.type === 'error' ? protoCodeFromWire(m.wireCode) : undefined;
    if (m.type === 'error' && (m.fatal || !r.authenticated || r.header.requestId === 0 || known === undefined)) {
      const code: ProtoErrorCode = known ?? 'PROTO_CLOSED';
      this.finish(protoError(code, 'peer closed the session with an error', { remote: true, wireCode: m.wireCode }));
      this.socket.end();
      return;
    }
    if (this.receiver) return this.receiver(r);
    if (this.queue.length >= MAX_QUEUED) throw protoError('PROTO_UNEXPECTED_MESSAGE', 'peer sent ahead of the handshake');
    this.queue.push(r);
  }

  private finish(reason: ProtocolError): void {
    if (this.closed) return;
    this.closed = true;
    this.decoder.stop();
    this.frameTimer?.cancel();
    if (!this.socket.destroyed) {
      this.linger = this.o.clock.setTimer(LINGER_MS, () => this.socket.destroy());
      this.socket.once('close', () => this.linger?.cancel());
    }
    for (const fn of this.closeListeners.splice(0)) fn(reason);
  }
}
