/**
 * PROTOCOL.md §4.5 keep-alive, on a real socket pair with a manual clock: an
 * unanswered PING times out like any request and does not end the session;
 * the idle rule (nothing received for PROTOCOL_LIMITS.idleTimeoutMs) does, with a fatal
 * PROTO_TIMEOUT ERROR.
 */
import { createServer, connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../core/clock.js';
import { PROTO_WIRE_CODES, type ProtocolError } from '../../../protocol/errors.js';
import { FrameDecoder, type RawFrame } from '../../../protocol/frame/decoder.js';
import { decodeBody } from '../../../protocol/messages/catalog.js';
import { Channel } from '../../../protocol/session/channel.js';
import { RpcSession } from '../../../protocol/session/rpc.js';

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
});

async function socketPair(): Promise<[Socket, Socket]> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const accepted = new Promise<Socket>((r) => server.once('connection', r));
  const a = connect({ host: '127.0.0.1', port: (server.address() as { port: number }).port });
  const b = await accepted;
  server.close();
  for (const s of [a, b]) s.on('error', () => undefined);
  cleanups.push(() => (a.destroy(), b.destroy()));
  return [a, b];
}

async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 300 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(cond()).toBe(true);
}

describe('keep-alive (PROTOCOL.md §4.5)', () => {
  it('an unanswered PING times out without closing; the idle timeout closes with a fatal PROTO_TIMEOUT', async () => {
    const clock = new ManualClock();
    const [mine, silent] = await socketPair();
    const key = Buffer.alloc(32, 5);
    const ch = new Channel(mine, { clock });
    ch.setKeys(key, key);
    ch.establish();
    new RpcSession(ch, { clock, acceptRequests: new Set(['ping']), pingIntervalMs: 15_000, idleTimeoutMs: 60_000, requestTimeoutMs: 10_000 });
    let closed: ProtocolError | undefined;
    ch.onClose((r) => (closed = r));

    // The silent peer reads frames and never answers.
    const seen: RawFrame[] = [];
    const decoder = new FrameDecoder();
    silent.on('data', (c: Buffer) => decoder.push(c, (f) => seen.push(f)));

    clock.advance(15_000);
    await until(() => seen.length === 1);
    expect(decodeBody(seen[0]!.header.code, seen[0]!.body)).toEqual({ type: 'ping' });
    clock.advance(10_000); // the PING's request timeout: given up, session still up
    clock.advance(20_000); // 45 s: nothing received, below the idle limit
    expect(closed).toBeUndefined();
    expect(ch.isClosed).toBe(false);

    clock.advance(15_000); // 60 s without receiving anything
    await until(() => closed !== undefined);
    expect(closed?.code).toBe('PROTO_TIMEOUT');
    await until(() => seen.some((f) => f.header.code === 0x0f));
    const err = seen.find((f) => f.header.code === 0x0f) as RawFrame;
    expect(decodeBody(err.header.code, err.body)).toEqual({ type: 'error', wireCode: PROTO_WIRE_CODES.PROTO_TIMEOUT, fatal: true });
    expect(err.mac).toBeDefined();
  });
});
