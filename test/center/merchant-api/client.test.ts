/**
 * The typed merchant client (center/merchant-api/client.ts) against a real
 * merchant API: over TLS with a certificate made by openssl, a POST whose
 * answer is lost on the way back (a TCP relay cuts the first connection) is
 * retried with the same Idempotency-Key and gets the stored answer (the
 * effect happened once), a 429 is waited out per Retry-After, coded errors
 * come back as MerchantApiError without the key in them.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MerchantApiError, MerchantClient } from '../../../center/merchant-api/client.js';
import { startMerchantApi } from '../../../center/merchant-api/server.js';
import { systemClock } from '../../../core/clock.js';
import { silentLogger } from '../../../core/log.js';
import { systemRandom } from '../../../core/random.js';
import { addBatch, count, hexId, startHarness, type Harness } from './support.js';

async function seed(h: Harness): Promise<string> {
  for (let i = 1; i <= 5; i++) {
    await addBatch(h.storage, { id: hexId(i), shopId: 'SHOP-A', state: 'settled', createdMs: i * 1_000, records: [{ amountMinor: i * 100, accepted: true }] });
  }
  await h.api.merchants.add('shop-a', 'SHOP-A');
  return (await h.api.merchants.addKey('shop-a')).key;
}

/** A TCP relay to `port` that cuts its first connection as soon as the server starts answering (the answer is lost). */
async function lossyRelay(port: number): Promise<{ port: number; cut: number; close(): Promise<void> }> {
  const state = { cut: 0, connections: 0 };
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const n = ++state.connections;
    const upstream = connect(port, '127.0.0.1');
    sockets.add(client).add(upstream);
    client.pipe(upstream);
    upstream.on('data', (chunk: Buffer) => {
      if (n === 1) {
        state.cut++;
        client.destroy();
        upstream.destroy();
        return;
      }
      client.write(chunk);
    });
    upstream.on('end', () => client.end());
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  return {
    port: typeof addr === 'object' && addr ? addr.port : 0,
    get cut() {
      return state.cut;
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

describe('merchant client over TLS', () => {
  let h: Harness;
  let key: string;
  let client: MerchantClient;
  let ca: Buffer;

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'merchant-tls-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=localhost',
      '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem')], { stdio: 'ignore' });
    h = await startHarness({ tls: { certFile: join(dir, 'c.pem'), keyFile: join(dir, 'k.pem') } });
    key = await seed(h);
    ca = readFileSync(join(dir, 'c.pem'));
    client = new MerchantClient({ baseUrl: h.api.url, apiKey: key, ca });
  });

  afterAll(async () => {
    await client?.close();
    await h?.close();
  });

  it('reads the merchant, pages through every settlement and payout, and reconciles idempotently over HTTPS', async () => {
    expect(h.api.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(await client.me()).toMatchObject({ name: 'shop-a', shopId: 'SHOP-A' });
    const ids: string[] = [];
    for await (const s of client.all((q) => client.settlements(q), { limit: 2 })) ids.push(s.id);
    expect(ids).toEqual([1, 2, 3, 4, 5].map(hexId));
    const payouts = await client.payouts({ state: 'paid' });
    expect(payouts.controlTotals).toEqual([{ currency: 'JPY', count: 5, totalMinor: 1_500 }]);
    expect((await client.settlementPayout(hexId(2))).id).toBe(payouts.items[1]!.id);
    const body = { settlementIds: [hexId(1), hexId(2)], declared: { count: 2, totalMinor: 300, currency: 'JPY' } };
    const r1 = await client.reconcile(body, { idempotencyKey: 'tls-1' });
    const r2 = await client.reconcile(body, { idempotencyKey: 'tls-1' });
    expect(r1).toMatchObject({ status: 201, replayed: false, attempts: 1 });
    expect(r2).toMatchObject({ status: 201, replayed: true, body: r1.body });
    expect(r1.body.matched).toBe(true);
    expect(await client.reconciliation(r1.body.id)).toEqual(r1.body);
  });

  it('refuses to trust the listener without its CA, and throws coded API errors (no retry) without the key in them', async () => {
    const untrusting = new MerchantClient({ baseUrl: h.api.url, apiKey: key, attempts: 1 });
    await expect(untrusting.me()).rejects.toMatchObject({ code: 'MERCHANT_UNAVAILABLE' });
    await untrusting.close();
    const forged = `${key.slice(0, -1)}${key.endsWith('0') ? '1' : '0'}`;
    const wrong = new MerchantClient({ baseUrl: h.api.url, apiKey: forged, ca });
    const denied = await wrong.me().catch((x: unknown) => x);
    await wrong.close();
    expect(denied).toMatchObject({ code: 'MERCHANT_UNAUTHENTICATED', status: 401 });
    const e = await client.settlement(hexId(99)).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(MerchantApiError);
    expect(e).toMatchObject({ code: 'MERCHANT_NOT_FOUND', status: 404 });
    for (const err of [denied, e]) {
      const text = JSON.stringify({ m: (err as Error).message, d: (err as MerchantApiError).details });
      expect(text).not.toContain(key.slice(-64));
      expect(text).not.toContain(forged.slice(-64));
    }
  });
});

describe('merchant client retries', () => {
  let h: Harness;
  let key: string;

  beforeAll(async () => {
    h = await startHarness({ rateLimit: { max: 1, windowMs: 1_000 } });
    key = await seed(h);
  });

  afterAll(async () => {
    await h?.close();
  });

  it('retries a POST whose answer was lost with the same Idempotency-Key: the stored answer comes back and the effect happened once', async () => {
    const relay = await lossyRelay(h.api.port);
    const client = new MerchantClient({ baseUrl: `http://127.0.0.1:${relay.port}`, apiKey: key, backoffMs: 1_100 });
    try {
      const r = await client.reconcile({ settlementIds: [hexId(3)], declared: { count: 1, totalMinor: 300, currency: 'JPY' } });
      expect(relay.cut).toBe(1);
      expect(r).toMatchObject({ status: 201, replayed: true, attempts: 2 });
      expect(r.idempotencyKey).toMatch(/^[0-9a-f-]{36}$/);
      expect(await count(h.storage, 'merchant_reconciliations')).toBe(1);
      const stored = await h.storage.read((q) => q.all('SELECT idem_key FROM merchant_idempotency'));
      expect(stored.map((x) => x['idem_key'])).toEqual([r.idempotencyKey]);
    } finally {
      await client.close();
      await relay.close();
    }
  });

  it('waits out a 429 for the seconds of its Retry-After, then succeeds', async () => {
    const client = new MerchantClient({ baseUrl: h.api.url, apiKey: key, backoffMs: 10 });
    try {
      await client.me();
      const t0 = performance.now();
      const again = await client.call('GET', '/v1/merchant');
      expect(again.attempts).toBe(2);
      expect(performance.now() - t0).toBeGreaterThanOrEqual(900);
    } finally {
      await client.close();
    }
  });

  it('gives up on a listener that does not answer with MERCHANT_UNAVAILABLE after its attempts', async () => {
    const probe = await startMerchantApi({ storage: h.storage, host: '127.0.0.1', port: 0, clock: systemClock, random: systemRandom, log: silentLogger });
    const url = probe.url;
    await probe.close();
    const client = new MerchantClient({ baseUrl: url, apiKey: key, attempts: 3, backoffMs: 5 });
    try {
      await expect(client.me()).rejects.toMatchObject({ code: 'MERCHANT_UNAVAILABLE', details: { reason: 'ECONNREFUSED' } });
    } finally {
      await client.close();
    }
  });
});
