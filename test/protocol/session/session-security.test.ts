/**
 * What an established session accepts from the wire (PROTOCOL.md §4.3, §7),
 * over real sockets against the real center listener and the real terminal
 * link client: frames without a MAC once the keys exist, handshake messages
 * after the handshake, requests no flow serves, and ERROR frames that must
 * never be answered.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../core/log.js';
import { CenterServer } from '../../../center/net/server.js';
import { routeSessions, type CenterFlow } from '../../../center/server/session-router.js';
import { FLAG_RESPONSE } from '../../../protocol/codes.js';
import { dialTerminal } from '../../../center/net/dial-terminal.js';
import { deriveSessionKeys } from '../../../protocol/crypto/keys.js';
import { frameMac, verifyFrameMac } from '../../../protocol/crypto/mac.js';
import { FrameDecoder, type RawFrame } from '../../../protocol/frame/decoder.js';
import { decodeBody } from '../../../protocol/messages/catalog.js';
import { protoCodeFromWire, PROTO_WIRE_CODES } from '../../../protocol/errors.js';
import { encodeFrame } from '../../../protocol/frame/encoder.js';
import { LinkClient } from '../../../terminal/link/link-client.js';
import { EchoFlow, KEY, lookup, netFixtures, TID } from '../../center/net/support.js';
import { RawPeer } from '../support/raw-peer.js';

const fx = netFixtures();
const { cleanups, center } = fx;

const mediumId = Buffer.from('0123456789abcdef', 'hex');
const validity = { type: 'validityRequest', terminalId: TID, mediumId } as const;

/** A MAC-less fatal ERROR, as anyone on the path can forge it (AUTH_FAILED: the most damaging claim). */
const forgedError = (): Buffer =>
  encodeFrame({ type: 'error', wireCode: PROTO_WIRE_CODES.PROTO_AUTH_FAILED, fatal: true }, { seq: 0, requestId: 0, response: false });

/** A TCP relay between terminal and center that can write extra bytes into either direction. */
class Injector {
  private readonly server: Server;
  private toTerminal: Socket | undefined;
  private toCenter: Socket | undefined;
  connections = 0;

  constructor(centerPort: number) {
    this.server = createServer((terminal) => {
      this.connections++;
      const center = connect({ host: '127.0.0.1', port: centerPort });
      for (const s of [terminal, center]) s.on('error', () => undefined);
      terminal.pipe(center);
      center.pipe(terminal);
      terminal.on('close', () => center.destroy());
      center.on('close', () => terminal.destroy());
      this.toTerminal = terminal;
      this.toCenter = center;
    });
  }

  async listen(): Promise<number> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    return (this.server.address() as { port: number }).port;
  }

  injectToTerminal(b: Buffer): void {
    this.toTerminal?.write(b);
  }

  injectToCenter(b: Buffer): void {
    this.toCenter?.write(b);
  }

  close(): Promise<void> {
    this.toTerminal?.destroy();
    this.toCenter?.destroy();
    return new Promise((r) => this.server.close(() => r()));
  }
}

async function peer(port: number): Promise<RawPeer> {
  const p = await fx.peer(port);
  expect(await p.handshake(TID, KEY)).toBe('authOk');
  return p;
}

describe('an on-path injector on an established session (PROTOCOL.md §4.3)', () => {
  it('a MAC-less ERROR written into either direction is dropped unread: the session stays up and the next request works', async () => {
    const { port, flows } = await center();
    const relay = new Injector(port);
    cleanups.push(() => relay.close());
    const c = new LinkClient({ terminalId: TID, terminalKey: KEY, centers: [{ host: '127.0.0.1', port: await relay.listen() }], pingIntervalMs: 0, maxAttempts: 1 });
    cleanups.push(() => c.close());
    const downs: string[] = [];
    c.on('down', (r) => downs.push(r.code));
    c.start();
    expect((await c.request(validity)).type).toBe('validityEarlyAck');

    // Idle between requests, so the forged frames land on frame boundaries; the next
    // response (or request) follows them in the same byte stream, so they were read first.
    relay.injectToTerminal(forgedError());
    relay.injectToCenter(forgedError());
    expect((await c.request(validity)).type).toBe('validityEarlyAck');
    relay.injectToTerminal(forgedError());
    relay.injectToCenter(forgedError());
    expect((await c.request(validity)).type).toBe('validityEarlyAck');

    expect(downs).toEqual([]);
    expect(relay.connections).toBe(1);
    expect(flows).toHaveLength(1);
    expect(flows[0]?.closedWith).toBeUndefined();
    expect(flows[0]?.seen).toHaveLength(3);
  });

  it('any other frame without a MAC after the handshake is PROTO_MAC_MISSING (fatal), its body never parsed', async () => {
    const { port } = await center();
    const p = await peer(port);
    // A MAC-less HELLO with a body that would not even parse: the MAC check comes first.
    p.write(Buffer.from('545301010000000000000000000000000003800141', 'hex'));
    expect(await p.errorCode()).toBe('PROTO_MAC_MISSING');
  });
});

describe('handshake messages after the handshake', () => {
  it.each([
    ['AUTH', { type: 'auth', proof: Buffer.alloc(32, 1) }],
    ['AUTH_OK', { type: 'authOk', proof: Buffer.alloc(32, 1) }],
    ['HELLO', { type: 'hello', terminalId: TID, nonce: Buffer.alloc(32, 2) }],
    ['CHALLENGE', { type: 'challenge', nonce: Buffer.alloc(32, 3) }],
  ] as const)('a MAC\'d %s is PROTO_UNEXPECTED_MESSAGE (fatal)', async (_n, m) => {
    const { port } = await center();
    const p = await peer(port);
    p.send(m);
    const r = await p.next();
    expect(r?.message).toEqual({ type: 'error', wireCode: PROTO_WIRE_CODES.PROTO_UNEXPECTED_MESSAGE, fatal: true });
    expect(await p.next()).toBeUndefined();
  });
});

describe('a request no flow serves', () => {
  it('gets a non-fatal PROTO_UNEXPECTED_MESSAGE, no stack in the log, and the session goes on', async () => {
    const lines: string[] = [];
    const log = createLogger('center', { level: 'info' }, { write: (l: string) => void lines.push(l) });
    const validityOnly: CenterFlow = { handles: ['validityRequest', 'transactionRequest'], open: (info) => new EchoFlow(info) };
    const server = new CenterServer({ lookupKey: lookup, onSession: routeSessions([validityOnly]), logger: log });
    cleanups.push(() => server.close());
    const p = await peer((await server.listen(0)).port);

    p.send({ type: 'prepaidRequest', transactionId: Buffer.alloc(16, 4), amountMinor: 3000, currency: 'JPY', prepaidInfo: Buffer.from('INFO'), service: 1 }, 7);
    const r = await p.next();
    expect(r?.frame.header.requestId).toBe(7);
    expect((r?.frame.header.flags ?? 0) & FLAG_RESPONSE).toBe(FLAG_RESPONSE);
    expect(r?.message).toEqual({ type: 'error', wireCode: PROTO_WIRE_CODES.PROTO_UNEXPECTED_MESSAGE, fatal: false });

    p.send(validity, 8);
    expect((await p.next())?.message.type).toBe('validityEarlyAck');
    const logged = lines.map((l) => JSON.parse(l) as { level: number; msg: string; code?: string; err?: unknown });
    expect(logged.filter((l) => l.level >= 40)).toEqual([]);
    expect(logged.find((l) => l.code === 'PROTO_UNEXPECTED_MESSAGE')?.msg).toBe('request type not served by this center');
    expect(lines.join('\n')).not.toMatch(/stack|at .*\.ts:\d+/);
  });
});

describe('the receiver of an ERROR never answers it (PROTOCOL.md §7)', () => {
  it('a MAC\'d ERROR with a malformed body closes the session without an ERROR in reply', async () => {
    const { port, flows } = await center();
    const p = await peer(port);
    // ERROR with ERROR_CODE only (FATAL missing): PROTO_TLV_MISSING_TAG at the receiver, but no answer.
    p.write(rebuild(0x0f, ++p.seq, Buffer.from('83020051', 'hex'), p.keys?.macT2c as Buffer));
    expect(await p.errorCode()).toBe('closed');
    await waitFor(() => flows[0]?.closedWith !== undefined);
    expect(flows[0]?.closedWith).toBe('PROTO_TLV_MISSING_TAG');
  });

  it('a non-fatal ERROR for a request not in flight closes the session without an answer', async () => {
    const { port, flows } = await center();
    const p = await peer(port);
    p.send({ type: 'error', wireCode: PROTO_WIRE_CODES.PROTO_HANDLER_FAILED, fatal: false }, 99, true);
    expect(await p.errorCode()).toBe('closed');
    await waitFor(() => flows[0]?.closedWith !== undefined);
    expect(flows[0]?.closedWith).toBe('PROTO_UNKNOWN_REQUEST');
    expect(protoCodeFromWire(PROTO_WIRE_CODES.PROTO_UNKNOWN_REQUEST)).toBe('PROTO_UNKNOWN_REQUEST');
  });
});

describe('request-id spaces of a fatal ERROR (PROTOCOL.md §7)', () => {
  it('a response to a request not in flight gets a fatal PROTO_UNKNOWN_REQUEST with request id 0 (the id is the center\'s own)', async () => {
    const { port } = await center();
    const p = await peer(port);
    p.send({ type: 'pong' }, 77, true);
    const r = await p.next();
    expect(r?.message).toEqual({ type: 'error', wireCode: PROTO_WIRE_CODES.PROTO_UNKNOWN_REQUEST, fatal: true });
    expect(r?.frame.header.requestId).toBe(0);
    expect((r?.frame.header.flags ?? 0) & FLAG_RESPONSE).toBe(0);
  });

  it('a reused request id is refused with a fatal ERROR naming that request (RESPONSE flag, the terminal\'s id)', async () => {
    let release: (() => void) | undefined;
    const slow = await center({
      onSession: (info) => new EchoFlow(info, { onRequest: () => new Promise<never>((_r, reject) => (release = () => reject(new Error('released')))) }),
    });
    const p = await peer(slow.port);
    p.send(validity, 5);
    p.send(validity, 5);
    const r = await p.next();
    expect(r?.message).toEqual({ type: 'error', wireCode: PROTO_WIRE_CODES.PROTO_DUPLICATE_REQUEST_ID, fatal: true });
    expect(r?.frame.header.requestId).toBe(5);
    expect((r?.frame.header.flags ?? 0) & FLAG_RESPONSE).toBe(FLAG_RESPONSE);
    release?.();
  });
});

describe('a refusal after the keys exist is MAC\'d (PROTOCOL.md §4.1)', () => {
  it('the callback center refusing P_CB sends a MAC\'d fatal AUTH_FAILED the terminal can verify', async () => {
    const got: RawFrame[] = [];
    const server = createServer((s) => {
      s.on('error', () => undefined);
      const d = new FrameDecoder();
      s.on('data', (c: Buffer) =>
        d.push(c, (f) => {
          got.push(f);
          const m = decodeBody(f.header.code, f.body);
          if (m.type !== 'callbackHello') return;
          // The real terminal key, a wrong proof: the center must refuse at CALLBACK_AUTH.
          const nonceT = Buffer.alloc(32, 6);
          s.write(encodeFrame({ type: 'callbackAuth', nonce: nonceT, proof: Buffer.alloc(32, 0) }, { seq: 0, requestId: 0, response: false }));
          keysOf.push(deriveSessionKeys(KEY, nonceT, m.nonce, TID));
        }),
      );
    });
    const keysOf: ReturnType<typeof deriveSessionKeys>[] = [];
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    cleanups.push(() => void server.close());
    const port = (server.address() as { port: number }).port;
    await expect(dialTerminal({ host: '127.0.0.1', port }, TID, { terminalKey: KEY, token: Buffer.alloc(16, 1) })).rejects.toMatchObject({ code: 'PROTO_AUTH_FAILED' });
    await waitFor(() => got.some((f) => f.header.code === 0x0f));
    const refusal = got.find((f) => f.header.code === 0x0f) as RawFrame;
    expect(decodeBody(refusal.header.code, refusal.body)).toEqual({ type: 'error', wireCode: PROTO_WIRE_CODES.PROTO_AUTH_FAILED, fatal: true });
    expect(refusal.header.seq).toBe(1);
    expect(refusal.mac && verifyFrameMac((keysOf[0] as { macC2t: Buffer }).macC2t, refusal.signed, refusal.mac)).toBe(true);
  });
});

describe('request ids (PROTOCOL.md §4.5)', () => {
  it('an id may be used again once answered, for a request with other content', async () => {
    const { port, flows } = await center();
    const p = await peer(port);
    p.send(validity, 5);
    expect((await p.next())?.message.type).toBe('validityEarlyAck');
    p.send({ type: 'transactionRequest', transactionId: Buffer.alloc(16, 1), kind: 1, amountMinor: 100, currency: 'JPY', content: [] }, 5);
    const r = await p.next();
    expect(r?.message.type).toBe('transactionResult');
    expect(r?.frame.header.requestId).toBe(5);
    expect(flows[0]?.seen.map((x) => x.type)).toEqual(['validityRequest', 'transactionRequest']);
  });
});

describe('an ERROR with a number the receiver does not know (PROTOCOL.md §7)', () => {
  it('ends the session even when marked non-fatal, and is not answered', async () => {
    const { port, flows } = await center({ pingIntervalMs: 20 });
    const p = await peer(port);
    const ping = await p.next();
    expect(ping?.message.type).toBe('ping');
    p.send({ type: 'error', wireCode: 0x7777, fatal: false }, ping?.frame.header.requestId ?? 0, true);
    expect(await p.errorCode()).toBe('closed');
    await waitFor(() => flows[0]?.closedWith !== undefined);
    expect(flows[0]?.closedWith).toBe('PROTO_CLOSED');
  });
});

/** A MAC'd frame with any code and body (the encoder only builds valid messages). */
function rebuild(code: number, seq: number, body: Buffer, macKey: Buffer): Buffer {
  const template = encodeFrame({ type: 'ping' }, { seq, requestId: 0, response: false, macKey });
  const head = Buffer.from(template.subarray(0, 18));
  head[3] = code;
  head.writeUInt32BE(body.length, 14);
  const signed = Buffer.concat([head, body]);
  return Buffer.concat([signed, frameMac(macKey, signed)]);
}

async function waitFor(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
}
