import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SeededRandom } from '../../../core/random.js';
import { CenterServer } from '../../../center/net/server.js';
import { dialTerminal } from '../../../center/net/dial-terminal.js';
import { TAG } from '../../../protocol/codes.js';
import type { CenterResponse, TerminalRequest } from '../../../protocol/messages/types.js';
import { backoffDelayMs } from '../../../terminal/link/backoff.js';
import { CallbackListener } from '../../../terminal/link/callback-listener.js';
import { LinkClient } from '../../../terminal/link/link-client.js';
import { EchoFlow, KEY, lookup, TID } from '../../center/net/support.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
const mediumId = Buffer.from('0123456789abcdef', 'hex');

async function listen(s: CenterServer): Promise<number> {
  const a = await s.listen(0);
  cleanups.push(() => s.close());
  return a.port;
}
function link(ports: number[], extra: Partial<ConstructorParameters<typeof LinkClient>[0]> = {}): LinkClient {
  const c = new LinkClient({ terminalId: TID, terminalKey: KEY, centers: ports.map((port) => ({ host: '127.0.0.1', port })), backoff: { baseMs: 10, maxMs: 40, jitter: 0.2 }, random: new SeededRandom(1), ...extra });
  cleanups.push(() => c.close());
  c.start();
  return c;
}
const freePort = async (): Promise<number> => {
  const s = new CenterServer({ lookupKey: lookup, onSession: (i) => new EchoFlow(i) });
  const { port } = await s.listen(0);
  await s.close();
  return port;
};

describe('backoff', () => {
  it('grows exponentially to the cap, with seeded jitter inside its band', () => {
    const r = new SeededRandom(42);
    const p = { baseMs: 100, maxMs: 30_000, jitter: 0.2 };
    const ds = Array.from({ length: 12 }, (_, i) => backoffDelayMs(i, p, r));
    ds.forEach((d, i) => {
      const nominal = Math.min(30_000, 100 * 2 ** i);
      expect(d).toBeGreaterThanOrEqual(Math.floor(nominal * 0.8));
      expect(d).toBeLessThanOrEqual(Math.min(30_000, Math.ceil(nominal * 1.2)));
    });
    const again = new SeededRandom(42);
    expect(Array.from({ length: 12 }, (_, i) => backoffDelayMs(i, p, again))).toEqual(ds);
  });
});

describe('LinkClient', () => {
  it('fails over past a dead center address', async () => {
    const dead = await freePort();
    const port = await listen(new CenterServer({ lookupKey: lookup, onSession: (i) => new EchoFlow(i) }));
    const c = link([dead, port]);
    const up = new Promise<number>((r) => c.on('up', (s) => r(s.centerIndex)));
    expect((await c.request({ type: 'validityRequest', terminalId: TID, mediumId })).type).toBe('validityEarlyAck');
    expect(await up).toBe(1);
  });

  it('retries after a timeout with the same transaction id, and bounds outstanding requests', async () => {
    const seen: Buffer[] = [];
    const port = await listen(new CenterServer({
      lookupKey: lookup,
      onSession: (info) => new EchoFlow(info, {
        onRequest: (r: TerminalRequest) => {
          if (r.type !== 'transactionRequest') return undefined;
          seen.push(r.transactionId);
          if (seen.length === 1) return new Promise<CenterResponse>(() => undefined); // first attempt: never answered
          return Promise.resolve({ type: 'transactionResult', transactionId: r.transactionId, status: 0, resultCode: 0 });
        },
      }),
    }));
    const c = link([port], { requestTimeoutMs: 150, maxInFlight: 2 });
    const txId = Buffer.alloc(16, 0x5a);
    const res = c.request({ type: 'transactionRequest', transactionId: txId, kind: 1, amountMinor: 10, currency: 'JPY', content: [] });
    const second = c.request({ type: 'ping' });
    await expect(c.request({ type: 'ping' })).rejects.toMatchObject({ code: 'PROTO_TOO_MANY_IN_FLIGHT' });
    expect((await res).type).toBe('transactionResult');
    expect((await second).type).toBe('pong');
    expect(seen.map((b) => b.toString('hex'))).toEqual([txId.toString('hex'), txId.toString('hex')]);
  });

  it('rejects with a coded error when no center answers', async () => {
    const c = link([await freePort()], { requestTimeoutMs: 100, maxAttempts: 2 });
    await expect(c.request({ type: 'ping' })).rejects.toMatchObject({ code: 'PROTO_NO_CENTER' });
  });
});

describe('settlement callback (seed 004)', () => {
  it('settle → await callback → center dials, challenges, instructs; terminal erases records', async () => {
    const token = Buffer.alloc(16, 0xee);
    const port = await listen(new CenterServer({ lookupKey: lookup, onSession: (i) => new EchoFlow(i) }));
    let securityCode = '';
    const listener = new CallbackListener({
      terminalId: TID,
      terminalKey: KEY,
      onInstruction: async (m, { sealer }) => {
        securityCode = sealer.open(TAG.SECURITY_CODE, m.securityCode).toString('latin1');
        return { type: 'settlementAck', erased: m.results.map(({ mediumId: id, cardCounter }) => ({ mediumId: id, cardCounter })) };
      },
    });
    const { port: cbPort } = await listener.listen(0);
    cleanups.push(() => listener.close());
    const c = link([port]);
    const record = { mediumId, cardCounter: 3, amountMinor: 450, currency: 'JPY', terminalId: TID, terminalNonce: Buffer.alloc(8, 1), cardMac: Buffer.alloc(8, 2) };
    const answer = await c.request({ type: 'settleRequest', terminalId: TID, records: [record] });
    if (answer.type !== 'awaitCallback') throw new Error(`got ${answer.type}`);
    listener.expect(answer.token, answer.waitMs);

    await expect(dialTerminal({ host: '127.0.0.1', port: cbPort }, TID, { terminalKey: KEY, token: Buffer.alloc(16, 1) })).rejects.toMatchObject({ code: 'PROTO_AUTH_FAILED' });
    const s = await dialTerminal({ host: '127.0.0.1', port: cbPort }, TID, { terminalKey: KEY, token });
    const ack = await s.request({
      type: 'settlementInstruction', bankCode: '0009', branchCode: '456', accountNumber: '7654321',
      securityCode: s.sealer.seal(TAG.SECURITY_CODE, Buffer.from('918273')), totalMinor: 450, currency: 'JPY',
      results: [{ mediumId, cardCounter: 3, status: 0 }],
    });
    expect(ack).toEqual({ type: 'settlementAck', erased: [{ mediumId, cardCounter: 3 }] });
    expect(securityCode).toBe('918273');
    expect(token.equals(answer.token)).toBe(true);
    s.close();
    await expect(dialTerminal({ host: '127.0.0.1', port: cbPort }, TID, { terminalKey: KEY, token })).rejects.toMatchObject({ code: 'PROTO_AUTH_FAILED' });
  });
});

describe('TLS', () => {
  it('runs the same protocol inside node:tls', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-tls-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem')], { stdio: 'ignore' });
    const cert = readFileSync(join(dir, 'c.pem'));
    const port = await listen(new CenterServer({ lookupKey: lookup, onSession: (i) => new EchoFlow(i), tls: { key: readFileSync(join(dir, 'k.pem')), cert } }));
    const c = new LinkClient({ terminalId: TID, terminalKey: KEY, centers: [{ host: '127.0.0.1', port, tls: { ca: cert } }] });
    cleanups.push(() => c.close());
    c.start();
    expect((await c.request({ type: 'validityRequest', terminalId: TID, mediumId })).type).toBe('validityEarlyAck');
  });
});
