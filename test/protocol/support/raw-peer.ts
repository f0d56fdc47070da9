/**
 * A hand-driven terminal for tests: does the real handshake over a socket,
 * then lets a test send arbitrary bytes (valid, replayed, corrupt) and read
 * back decoded frames. Not a mock: it speaks to the real center listener.
 */
import { connect, type Socket } from 'node:net';
import { deriveSessionKeys, proofOf, type SessionKeys } from '../../../protocol/crypto/keys.js';
import { protoCodeFromWire } from '../../../protocol/errors.js';
import { FrameDecoder, type RawFrame } from '../../../protocol/frame/decoder.js';
import { encodeFrame } from '../../../protocol/frame/encoder.js';
import { decodeBody } from '../../../protocol/messages/catalog.js';
import type { Message } from '../../../protocol/messages/types.js';

export class RawPeer {
  private frames: RawFrame[] = [];
  private waiting: (() => void) | undefined;
  private readonly decoder = new FrameDecoder();
  keys: SessionKeys | undefined;
  seq = 0;
  ended = false;
  readonly sent: Buffer[] = [];

  private constructor(readonly socket: Socket) {
    socket.setNoDelay(true);
    socket.on('data', (c: Buffer) => {
      try {
        this.decoder.push(c, (f) => this.frames.push(f));
      } catch {
        this.ended = true;
      }
      this.waiting?.();
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.ended = true;
      this.waiting?.();
    });
  }

  static connect(port: number): Promise<RawPeer> {
    return new Promise((resolve, reject) => {
      const s = connect({ host: '127.0.0.1', port }, () => resolve(new RawPeer(s)));
      s.once('error', reject);
    });
  }

  /** Next frame, or undefined once the connection has ended with nothing left. */
  async next(timeoutMs = 2000): Promise<{ frame: RawFrame; message: Message } | undefined> {
    const deadline = Date.now() + timeoutMs;
    while (this.frames.length === 0 && !this.ended && Date.now() < deadline) {
      await new Promise<void>((r) => {
        this.waiting = r;
        setTimeout(r, 50);
      });
    }
    const frame = this.frames.shift();
    return frame && { frame, message: decodeBody(frame.header.code, frame.body) };
  }

  /** Reads until an ERROR frame or the end; the registry code of the error, or 'closed'. */
  async errorCode(timeoutMs = 2000): Promise<string> {
    for (let i = 0; i < 64; i++) {
      const r = await this.next(timeoutMs);
      if (!r) return 'closed';
      if (r.message.type === 'error') return protoCodeFromWire(r.message.wireCode) ?? `wire ${r.message.wireCode}`;
    }
    return 'no error';
  }

  write(b: Buffer): void {
    this.sent.push(b);
    this.socket.write(b);
  }

  send(m: Message, requestId = 0, response = false): Buffer {
    const f = this.keys
      ? encodeFrame(m, { seq: ++this.seq, requestId, response, macKey: this.keys.macT2c })
      : encodeFrame(m, { seq: 0, requestId, response });
    this.write(f);
    return f;
  }

  /** The AUTH_OK of the last handshake (its frame and message), if one came. */
  authOk: { frame: RawFrame; message: Message } | undefined;

  /** `versions`: version TLVs to put in AUTH (PROTOCOL.md §4.6); none by default, as a version-1 terminal. */
  async handshake(terminalId: string, key: Buffer, versions: { protocolVersion?: number; protocolVersionMin?: number } = {}): Promise<string> {
    const nonceT = Buffer.alloc(32, 7);
    this.send({ type: 'hello', terminalId, nonce: nonceT });
    const ch = await this.next();
    if (ch?.message.type !== 'challenge') return `got ${ch?.message.type ?? 'nothing'}`;
    if (ch.frame.mac) return 'challenge carried a MAC';
    this.keys = deriveSessionKeys(key, nonceT, ch.message.nonce, terminalId);
    this.send({ type: 'auth', proof: proofOf(this.keys, 'terminal', nonceT, ch.message.nonce), ...versions });
    const ok = await this.next();
    if (ok?.message.type === 'authOk') this.authOk = ok;
    if (ok?.message.type === 'error') return protoCodeFromWire(ok.message.wireCode) ?? 'error';
    return ok?.message.type ?? 'closed';
  }

  close(): void {
    this.socket.destroy();
  }
}
