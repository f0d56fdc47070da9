/**
 * The center listener under attack, over real loopback sockets: a frame
 * dripped a byte at a time, idle connections that never authenticate, and
 * the security log and counters that tell the operator about it.
 * Deadlines are configured short or driven by a ManualClock; no test waits
 * for a default 5 or 10 s deadline.
 */
import { connect, type Socket } from 'node:net';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../core/clock.js';
import { createLogger } from '../../../core/log.js';
import { deriveSessionKeys, proofOf } from '../../../protocol/crypto/keys.js';
import { encodeFrame } from '../../../protocol/frame/encoder.js';
import { KEY, netFixtures, TID } from './support.js';

const { cleanups, center, peer } = netFixtures();

const mediumId = Buffer.from('0123456789abcdef', 'hex');

/** Waits (polling state, not sleeping a fixed time) until `cond` holds; fails after `ms`. */
async function until(cond: () => boolean, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A connection from `localAddress` that sends nothing; `closed` flips when the center drops it. */
function idle(port: number, localAddress: string): Promise<{ socket: Socket; closed: () => boolean; got: () => Buffer }> {
  return new Promise((resolve, reject) => {
    let closed = false;
    let got = Buffer.alloc(0);
    const socket = connect({ host: '127.0.0.1', port, localAddress }, () => resolve({ socket, closed: () => closed, got: () => got }));
    socket.on('data', (d: Buffer) => (got = Buffer.concat([got, d])));
    socket.on('close', () => (closed = true));
    socket.once('error', reject);
    cleanups.push(() => void socket.destroy());
  });
}

/** pino writing JSON lines into an array, at the default (info) level. */
function capturedLog(): { log: ReturnType<typeof createLogger>; lines: Array<Record<string, unknown>>; text: () => string } {
  const raw: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      raw.push(chunk.toString());
      cb();
    },
  });
  const log = createLogger('center', { level: 'info' }, stream);
  return {
    log,
    get lines() {
      return raw.join('').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
    },
    text: () => raw.join(''),
  };
}

describe('center listener: slow drip (per-frame deadline)', () => {
  it('closes an authenticated session whose frame does not complete within frameTimeoutMs, though a byte keeps arriving', async () => {
    const { port, server } = await center({ frameTimeoutMs: 300 });
    const p = await peer(port);
    expect(await p.handshake(TID, KEY)).toBe('authOk');
    const frame = encodeFrame({ type: 'validityRequest', terminalId: TID, mediumId }, { seq: ++p.seq, requestId: 1, response: false, macKey: p.keys?.macT2c });
    let at = 0;
    const drip = setInterval(() => {
      if (at < frame.length && !p.ended) p.socket.write(frame.subarray(at, ++at));
    }, 50); // one byte every 50 ms: each well inside any idle timeout, the whole frame only after ~2.5 s
    cleanups.push(() => clearInterval(drip));
    expect(await p.errorCode(5_000)).toBe('PROTO_TIMEOUT');
    expect(at).toBeLessThan(frame.length); // closed before the last byte
    expect(server.securityCounters().frameTimeout).toBe(1);
  });

  it('frames that each complete in time keep the session going past many deadlines', async () => {
    const { port } = await center({ frameTimeoutMs: 400 });
    const p = await peer(port);
    expect(await p.handshake(TID, KEY)).toBe('authOk');
    for (let id = 1; id <= 6; id++) {
      const f = encodeFrame({ type: 'ping' }, { seq: ++p.seq, requestId: id, response: false, macKey: p.keys?.macT2c });
      p.socket.write(f.subarray(0, 10));
      await new Promise((r) => setTimeout(r, 30));
      p.socket.write(f.subarray(10));
      expect((await p.next())?.message.type).toBe('pong');
      await new Promise((r) => setTimeout(r, 150));
    }
  });
});

describe('center listener: connections that do not authenticate', () => {
  it('idle pre-handshake connections never take a session place; one source is capped on its own', async () => {
    const { port, server } = await center({ maxConnections: 3, maxUnauthenticated: 8, maxUnauthenticatedPerSource: 4, unauthenticatedTimeoutMs: 60_000 });
    // The attacker (127.0.0.2) opens 10 connections and sends nothing.
    const attacker = await Promise.all(Array.from({ length: 10 }, () => idle(port, '127.0.0.2')));
    await until(() => attacker.filter((a) => a.closed()).length === 6 && server.connectionCount === 4);
    for (const a of attacker.filter((x) => x.closed())) expect(a.got().readUInt8(17)).toBeGreaterThan(0); // got an error frame
    // Real terminals from another address still get every session place.
    for (let i = 0; i < 3; i++) expect(await (await peer(port)).handshake(TID, KEY)).toBe('authOk');
    expect(attacker.filter((a) => a.closed())).toHaveLength(6);
    // Only now is the listener full, and says so.
    expect(await (await peer(port)).errorCode()).toBe('PROTO_TOO_MANY_CONNECTIONS');
    expect(server.securityCounters().tooManyConnections).toBe(7);
  });

  it('a handshake that completes after the last session place was taken gets PROTO_TOO_MANY_CONNECTIONS right after AUTH_OK', async () => {
    const { port, server } = await center({ maxConnections: 1 });
    const late = await peer(port);
    const nonceT = Buffer.alloc(32, 3);
    late.send({ type: 'hello', terminalId: TID, nonce: nonceT });
    const challenge = (await late.next())?.message;
    if (challenge?.type !== 'challenge') throw new Error('no challenge');
    expect(await (await peer(port)).handshake(TID, KEY)).toBe('authOk'); // takes the one place meanwhile
    const keys = deriveSessionKeys(KEY, nonceT, challenge.nonce, TID);
    late.keys = keys;
    late.send({ type: 'auth', proof: proofOf(keys, 'terminal', nonceT, challenge.nonce) });
    expect((await late.next())?.message.type).toBe('authOk');
    expect(await late.errorCode()).toBe('PROTO_TOO_MANY_CONNECTIONS');
    expect(server.securityCounters().tooManyConnections).toBe(1);
    await until(() => server.connectionCount === 1);
  });

  it('a connection still in the handshake is closed unauthenticatedTimeoutMs after its accept, whatever its steps take', async () => {
    const clock = new ManualClock();
    const { port, server } = await center({ clock, unauthenticatedTimeoutMs: 2_000, handshakeTimeoutMs: 10_000 });
    const p = await peer(port);
    p.send({ type: 'hello', terminalId: TID, nonce: Buffer.alloc(32, 7) });
    expect((await p.next())?.message.type).toBe('challenge'); // the center now waits up to 10 s for AUTH
    clock.advance(2_500);
    expect(await p.errorCode(1_000)).toBe('PROTO_TIMEOUT');
    expect(server.securityCounters().handshakeTimeout).toBe(1);
    await until(() => server.connectionCount === 0);
  });
});

describe('center listener: security log and counters', () => {
  it('logs AUTH_FAILED, BAD_MAC, REPLAY and TOO_MANY_CONNECTIONS at warn with peer and terminal id, never a key, and counts them', async () => {
    const cap = capturedLog();
    const { port, server } = await center({ logger: cap.log, maxConnections: 2 });
    // AUTH_FAILED: wrong key for a claimed id.
    const wrong = await peer(port);
    expect(await wrong.handshake('T-0002', Buffer.alloc(32, 1))).toBe('PROTO_AUTH_FAILED');
    // BAD_MAC: an altered frame.
    const tamper = await peer(port);
    const tamperPort = tamper.socket.localPort;
    expect(await tamper.handshake(TID, KEY)).toBe('authOk');
    const f = encodeFrame({ type: 'validityRequest', terminalId: TID, mediumId }, { seq: ++tamper.seq, requestId: 1, response: false, macKey: tamper.keys?.macT2c });
    f[25] = (f[25] as number) ^ 0x01;
    tamper.write(f);
    expect(await tamper.errorCode()).toBe('PROTO_BAD_MAC');
    // REPLAY: a frame sent twice.
    const replay = await peer(port);
    expect(await replay.handshake('T-0002', KEY)).toBe('authOk');
    const once = replay.send({ type: 'validityRequest', terminalId: 'T-0002', mediumId }, 1);
    expect((await replay.next())?.message.type).toBe('validityEarlyAck');
    replay.write(once);
    expect(await replay.errorCode()).toBe('PROTO_REPLAY');
    // TOO_MANY_CONNECTIONS: two sessions held, a third refused.
    for (let i = 0; i < 2; i++) expect(await (await peer(port)).handshake(TID, KEY)).toBe('authOk');
    expect(await (await peer(port)).errorCode()).toBe('PROTO_TOO_MANY_CONNECTIONS');

    await until(() => cap.lines.filter((l) => l['security']).length === 4);
    const byEvent: Record<string, Record<string, unknown>> = Object.fromEntries(cap.lines.filter((l) => l['security']).map((l) => [l['security'], l]));
    const peerRe = /^127\.0\.0\.1:\d+$/;
    expect(byEvent['authFailed']).toMatchObject({ level: 40, terminalId: 'T-0002', total: 1 });
    expect(byEvent['badMac']).toMatchObject({ level: 40, terminalId: TID, total: 1 });
    expect(byEvent['replay']).toMatchObject({ level: 40, terminalId: 'T-0002', total: 1 });
    expect(byEvent['tooManyConnections']).toMatchObject({ level: 40, detail: 'maxConnections', total: 1 });
    for (const l of Object.values(byEvent)) expect(l['peer']).toMatch(peerRe);
    expect(byEvent['badMac']?.['peer']).toBe(`127.0.0.1:${tamperPort}`);
    const text = cap.text().toLowerCase();
    for (const secret of [KEY, tamper.keys?.macT2c, tamper.keys?.macC2t, replay.keys?.macT2c]) {
      expect(text).not.toContain((secret as Buffer).toString('hex'));
      expect(text).not.toContain((secret as Buffer).toString('base64').toLowerCase());
    }
    expect(server.securityCounters()).toMatchObject({ authFailed: 1, badMac: 1, replay: 1, tooManyConnections: 1 });
  });

  it('rate-limits the lines per kind and window, counts every event, and reports how many lines were left out', async () => {
    const cap = capturedLog();
    const clock = new ManualClock();
    const { port, server } = await center({ logger: cap.log, clock });
    for (let i = 0; i < 15; i++) expect(await (await peer(port)).handshake('NOBODY', KEY)).toBe('PROTO_AUTH_FAILED');
    await until(() => server.securityCounters().authFailed === 15);
    expect(cap.lines.filter((l) => l['security'] === 'authFailed')).toHaveLength(10);
    clock.advance(60_000);
    expect(await (await peer(port)).handshake('NOBODY', KEY)).toBe('PROTO_AUTH_FAILED');
    await until(() => server.securityCounters().authFailed === 16);
    const last = cap.lines.filter((l) => l['security'] === 'authFailed').at(-1);
    expect(last).toMatchObject({ terminalId: 'NOBODY', total: 16, suppressed: 5 });
  });
});
