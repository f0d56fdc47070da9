import { describe, expect, it } from 'vitest';
import { CenterServer } from '../../../center/net/server.js';
import { encodeFrame } from '../../../protocol/frame/encoder.js';
import { pinBlockFormat2, pinFromBlockFormat2 } from '../../../protocol/crypto/seal.js';
import { TAG } from '../../../protocol/codes.js';
import { LinkClient } from '../../../terminal/link/link-client.js';
import { EchoFlow, KEY, lookup, netFixtures, TID } from './support.js';

const { cleanups, center, peer } = netFixtures();

function client(port: number, extra: Partial<ConstructorParameters<typeof LinkClient>[0]> = {}): LinkClient {
  const c = new LinkClient({ terminalId: TID, terminalKey: KEY, centers: [{ host: '127.0.0.1', port }], ...extra });
  cleanups.push(() => c.close());
  c.start();
  return c;
}
const mediumId = Buffer.from('0123456789abcdef', 'hex');
const txId = Buffer.alloc(16, 9);

describe('center listener: sessions', () => {
  it('authenticates the terminal and keeps per-session state across early ACK and transaction', async () => {
    const { port, flows } = await center();
    const c = client(port);
    expect(await c.request({ type: 'validityRequest', terminalId: TID, mediumId })).toEqual({ type: 'validityEarlyAck', pending: 1 });
    const res = await c.request({ type: 'transactionRequest', transactionId: txId, kind: 1, amountMinor: 100, currency: 'JPY', content: [] });
    expect(res).toEqual({ type: 'transactionResult', transactionId: txId, status: 0, resultCode: 0 });
    expect(flows).toHaveLength(1);
    expect(flows[0]?.info.terminalId).toBe(TID);
    expect(flows[0]?.seen.map((r) => r.type)).toEqual(['validityRequest', 'transactionRequest']);
  });

  it('refuses a wrong key and an unknown terminal alike with PROTO_AUTH_FAILED', async () => {
    const { port, flows } = await center();
    expect(await (await peer(port)).handshake(TID, Buffer.alloc(32, 1))).toBe('PROTO_AUTH_FAILED');
    expect(await (await peer(port)).handshake('NOBODY', KEY)).toBe('PROTO_AUTH_FAILED');
    expect(await (await peer(port)).handshake(TID, KEY)).toBe('authOk');
    expect(flows).toHaveLength(1);
  });

  it('NAK ends the session; the link client reconnects', async () => {
    const { port, flows } = await center();
    const c = client(port, { backoff: { baseMs: 10, maxMs: 50, jitter: 0 } });
    let downs = 0;
    c.on('down', () => downs++);
    const nak = await c.request({ type: 'validityRequest', terminalId: TID, mediumId: Buffer.alloc(8, 0xff) });
    expect(nak).toEqual({ type: 'validityNak', reason: 3, capture: true });
    expect(await c.request({ type: 'validityRequest', terminalId: TID, mediumId })).toEqual({ type: 'validityEarlyAck', pending: 1 });
    expect(downs).toBe(1);
    expect(flows).toHaveLength(2);
    expect(flows[0]?.closedWith).toBe('PROTO_CLOSED');
  });

  it('carries the PIN block sealed under the session key, rebuilt per session', async () => {
    let opened = '';
    const { server, port } = await (async () => {
      const s = new CenterServer({
        lookupKey: lookup,
        onSession: (info) => new EchoFlow(info, {
          onRequest: (r) => {
            if (r.type !== 'chargeRequest') return undefined;
            opened = pinFromBlockFormat2(info.sealer.open(TAG.PIN_BLOCK, r.pinBlock));
            return Promise.resolve({ type: 'chargeResult', transactionId: r.transactionId, status: 0, resultCode: 0 });
          },
        }),
      });
      const a = await s.listen(0);
      cleanups.push(() => s.close());
      return { server: s, port: a.port };
    })();
    expect(server.connectionCount).toBe(0);
    const c = client(port);
    const res = await c.request((s) => ({
      type: 'chargeRequest', transactionId: txId, amountMinor: 5000, currency: 'JPY', bankCode: '0005', branchCode: '123',
      accountNumber: '1234567', pinBlock: s.sealer.seal(TAG.PIN_BLOCK, pinBlockFormat2('4321')),
    }));
    expect(res.type).toBe('chargeResult');
    expect(opened).toBe('4321');
  });

  it('a failing handler answers a non-fatal PROTO_HANDLER_FAILED and the session goes on', async () => {
    const { port } = await center();
    const c = client(port, { maxAttempts: 1 });
    await expect(c.request({ type: 'voucherActivateRequest', transactionId: txId, voucherPin: '1234567890', amountMinor: 1, currency: 'JPY', merchantId: 'S-1' })).rejects.toMatchObject({ code: 'PROTO_HANDLER_FAILED' });
    expect((await c.request({ type: 'validityRequest', terminalId: TID, mediumId })).type).toBe('validityEarlyAck');
  });
});

describe('center listener: bad peers', () => {
  it('rejects a replayed frame with PROTO_REPLAY and closes, leaving other sessions alone', async () => {
    const { port } = await center();
    const good = client(port);
    expect((await good.request({ type: 'validityRequest', terminalId: TID, mediumId })).type).toBe('validityEarlyAck');
    const p = await peer(port);
    expect(await p.handshake('T-0002', KEY)).toBe('authOk');
    const f = p.send({ type: 'validityRequest', terminalId: 'T-0002', mediumId }, 1);
    expect((await p.next())?.message.type).toBe('validityEarlyAck');
    p.write(f);
    expect(await p.errorCode()).toBe('PROTO_REPLAY');
    expect((await good.request({ type: 'validityRequest', terminalId: TID, mediumId })).type).toBe('validityEarlyAck');
  });

  it('rejects an altered frame with PROTO_BAD_MAC', async () => {
    const { port } = await center();
    const p = await peer(port);
    expect(await p.handshake(TID, KEY)).toBe('authOk');
    const f = encodeFrame({ type: 'validityRequest', terminalId: TID, mediumId }, { seq: ++p.seq, requestId: 1, response: false, macKey: p.keys?.macT2c });
    f[25] = (f[25] as number) ^ 0x01;
    p.write(f);
    expect(await p.errorCode()).toBe('PROTO_BAD_MAC');
  });

  it('refuses requests beyond the in-flight limit with a non-fatal error', async () => {
    const release: Array<() => void> = [];
    const s = new CenterServer({
      lookupKey: lookup,
      onSession: (info) => new EchoFlow(info, { onRequest: () => new Promise((r) => release.push(() => r({ type: 'validityAck' }))) }),
    });
    const { port } = await s.listen(0);
    cleanups.push(() => s.close());
    const p = await peer(port);
    expect(await p.handshake(TID, KEY)).toBe('authOk');
    for (let id = 1; id <= 33; id++) p.send({ type: 'validityRequest', terminalId: TID, mediumId }, id);
    const r = await p.next();
    expect(r?.message).toEqual({ type: 'error', wireCode: 0x51, fatal: false });
    expect(r?.frame.header.requestId).toBe(33);
    release.forEach((f) => f());
    const acks = [];
    for (let i = 0; i < 32; i++) acks.push((await p.next())?.message.type);
    expect(acks.every((t) => t === 'validityAck')).toBe(true);
  });

  it('bounds connections with PROTO_TOO_MANY_CONNECTIONS', async () => {
    const { port } = await center({ maxConnections: 1 });
    const a = await peer(port);
    expect(await a.handshake(TID, KEY)).toBe('authOk');
    const b = await peer(port);
    expect(await b.errorCode()).toBe('PROTO_TOO_MANY_CONNECTIONS');
  });

  it('closes a silent connection after the handshake timeout', async () => {
    const { port } = await center({ handshakeTimeoutMs: 100 });
    const p = await peer(port);
    expect(await p.errorCode()).toBe('PROTO_TIMEOUT');
  });

  it('answers garbage with PROTO_BAD_MAGIC', async () => {
    const { port } = await center();
    const p = await peer(port);
    p.write(Buffer.from('GET / HTTP/1.1\r\n\r\n'));
    expect(await p.errorCode()).toBe('PROTO_BAD_MAGIC');
  });
});
