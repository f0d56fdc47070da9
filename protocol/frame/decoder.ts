/**
 * Streaming frame decoder (pg-protocol / mqtt-packet style). Keeps received
 * chunks in a list, loops over every complete frame, keeps the remainder.
 * The announced length is checked against the maximum before anything is
 * allocated; a frame spanning chunks is copied once into a buffer of exactly
 * its size. No per-byte concatenation, no recursion.
 */
import { assert } from '../../core/assert.js';
import { FLAG_MAC } from '../codes.js';
import { protoError } from '../errors.js';
import { PROTOCOL_LIMITS } from '../limits.js';
import { checkHeaderPrefix, frameSize, readHeader, type FrameHeader } from './header.js';

const { headerBytes, macBytes } = PROTOCOL_LIMITS;

export interface RawFrame {
  header: FrameHeader;
  /** Header and body: the bytes the MAC covers. */
  signed: Buffer;
  body: Buffer;
  mac: Buffer | undefined;
}

export class FrameDecoder {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private stopped = false;
  private paused = false;
  private draining = false;

  constructor(private maxFrameBytes: number = PROTOCOL_LIMITS.frameBytesMax) {}

  /** Raise (or lower) the frame size limit, e.g. once the peer has authenticated. */
  setMaxFrameBytes(n: number): void {
    assert(n >= headerBytes + macBytes && n <= PROTOCOL_LIMITS.frameBytesMax, 'frame limit out of range');
    this.maxFrameBytes = n;
  }

  /** Bytes received but not yet part of a complete frame. */
  get pendingBytes(): number {
    return this.buffered;
  }

  /** Stops delivering frames (the owner closed); later pushes are ignored. */
  stop(): void {
    this.stopped = true;
    this.chunks = [];
    this.buffered = 0;
  }

  /**
   * Stops delivering frames after the current one until `resume`: later bytes
   * stay buffered, unchecked, so that a frame following the handshake's last
   * frame is checked against the limit its owner sets after processing that
   * frame. While paused at most `maxPausedBytes` may wait.
   */
  pause(): void {
    this.paused = true;
  }

  /**
   * Delivers every complete frame in order, then throws a ProtocolError at
   * the first malformed one. After a throw the decoder is stopped.
   */
  push(chunk: Buffer, onFrame: (f: RawFrame) => void): void {
    if (this.stopped || chunk.length === 0) return;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    if (this.paused && this.buffered > PROTOCOL_LIMITS.frameBytesMax + PROTOCOL_LIMITS.handshakeFrameBytesMax) {
      this.stop();
      throw protoError('PROTO_UNEXPECTED_MESSAGE', 'peer sent ahead of the handshake', { buffered: this.buffered });
    }
    this.drain(onFrame);
  }

  /** Continues delivering buffered frames after `pause` (a no-op inside a delivery: that loop goes on). */
  resume(onFrame: (f: RawFrame) => void): void {
    this.paused = false;
    if (!this.draining) this.drain(onFrame);
  }

  private drain(onFrame: (f: RawFrame) => void): void {
    this.draining = true;
    try {
      while (!this.stopped && !this.paused && this.buffered > 0) {
        const f = this.next();
        if (!f) break;
        onFrame(f);
      }
    } catch (e) {
      this.stop();
      throw e;
    } finally {
      this.draining = false;
    }
  }

  private next(): RawFrame | undefined {
    if (this.buffered < headerBytes) {
      checkHeaderPrefix(this.peek(Math.min(this.buffered, 6)));
      return undefined;
    }
    const header = readHeader(this.peek(headerBytes));
    const total = frameSize(header);
    if (total > this.maxFrameBytes) {
      throw protoError('PROTO_FRAME_TOO_LARGE', 'frame above the limit', { total, max: this.maxFrameBytes });
    }
    if (this.buffered < total) return undefined;
    const frame = this.take(total);
    const macAt = headerBytes + header.bodyLength;
    return {
      header,
      signed: frame.subarray(0, macAt),
      body: frame.subarray(headerBytes, macAt),
      mac: (header.flags & FLAG_MAC) !== 0 ? frame.subarray(macAt, macAt + macBytes) : undefined,
    };
  }

  /** The first n buffered bytes (n is small: a header), copying only when they span chunks. */
  private peek(n: number): Buffer {
    const first = this.chunks[0] as Buffer;
    if (first.length >= n) return first.subarray(0, n);
    const out = Buffer.allocUnsafe(n);
    let at = 0;
    for (const c of this.chunks) {
      if (at >= n) break;
      at += c.copy(out, at, 0, Math.min(c.length, n - at));
    }
    return out;
  }

  /** Removes and returns the first n buffered bytes (n <= buffered, n already checked against the limit). */
  private take(n: number): Buffer {
    this.buffered -= n;
    const first = this.chunks[0] as Buffer;
    if (first.length >= n) {
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
      return first.subarray(0, n);
    }
    const out = Buffer.allocUnsafe(n);
    let at = 0;
    while (at < n) {
      const c = this.chunks[0] as Buffer;
      const use = Math.min(c.length, n - at);
      c.copy(out, at, 0, use);
      at += use;
      if (use === c.length) this.chunks.shift();
      else this.chunks[0] = c.subarray(use);
    }
    return out;
  }
}
