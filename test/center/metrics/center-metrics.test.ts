import { randomBytes } from 'node:crypto';
import { systemClock } from '../../../core/clock.js';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { register as globalRegister } from 'prom-client';
import { Ledger } from '../../../center/ledger/ledger.js';
import { CreateTransferResult as TR } from '../../../center/ledger/results.js';
import { CenterMetrics } from '../../../center/metrics/center-metrics.js';
import { httpMetricsHook, metricsRoute } from '../../../center/metrics/http.js';
import { startCenter, type Center } from '../../../center/server/start-center.js';
import { CENTER_MODULES, centerModules } from '../../../center/modules.js';
import { ValidityRepository } from '../../../center/validity/repository.js';
import { deriveTerminalKey } from '../../../center/server/terminal-keys.js';
import { openStorage } from '../../../center/storage/open.js';
import type { Storage } from '../../../center/storage/types.js';
import { encodeFrame } from '../../../protocol/frame/encoder.js';
import type { LinkClient } from '../../../terminal/link/link-client.js';
import { RawPeer } from '../../protocol/support/raw-peer.js';
import { parseProm, sampleSum, type Sample } from '../../support/prom-text.js';
import { configOf, keyDir, seedTerminals, TERMINAL, terminalLink } from '../server/support.js';

/**
 * A real center (SQLite, listener, validity engine in cached-medium mode)
 * with its metrics mounted on a real fastify instance, scraped over HTTP
 * with fetch after real traffic: a LinkClient terminal's handshake and
 * validity requests, a raw peer's bad MAC and bad proof, ledger transfers,
 * HTTP requests.
 */
const keys = keyDir();
const GOOD = '1100000000000001';
const LOST = '1100000000000002';

let storage: Storage;
let center: Center;
let metrics: CenterMetrics;
let app: FastifyInstance;
let base: string;
const links: LinkClient[] = [];
const peers: RawPeer[] = [];

async function scrape(): Promise<{ text: string; samples: Sample[] }> {
  const res = await fetch(`${base}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('text/plain');
  const text = await res.text();
  return { text, samples: parseProm(text) };
}

async function until(cond: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 20));
  }
}

beforeAll(async () => {
  storage = await openStorage({ engine: 'sqlite', path: ':memory:' });
  await seedTerminals(storage);
  const expiresAtMs = Date.now() + 86_400_000;
  await (await ValidityRepository.open(storage)).addMedia([{ id: GOOD, expiresAtMs }, { id: LOST, expiresAtMs, status: 'lost' }]);
  metrics = new CenterMetrics();
  center = await startCenter(configOf(keys.masterKeyFile, { validity: { mode: 'cached-medium' } }), centerModules({ metrics }), { storage, metrics });
  app = Fastify();
  httpMetricsHook(metrics)(app);
  metricsRoute(metrics)(app);
  app.get('/terminals/:id', async () => ({ ok: true }));
  await app.listen({ host: '127.0.0.1', port: 0 });
  const addr = app.server.address();
  base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
});

afterAll(async () => {
  for (const p of peers) p.close();
  for (const l of links) await l.close();
  await app?.close();
  await center?.close();
  await storage?.close();
  keys.remove();
});

describe('center /metrics after real traffic', () => {
  it('counts the handshake, sessions, validity answers by kind, requests by type and code, and their latency', async () => {
    const before = (await scrape()).samples;
    expect(sampleSum(before, 'tessera_center_handshakes_total', { outcome: 'ok' })).toBe(0);
    expect(sampleSum(before, 'tessera_center_validity_cache_entries', { list: 'media' })).toBe(2);
    expect(sampleSum(before, 'tessera_center_validity_mode', { mode: 'cached-medium' })).toBe(1);

    const link = terminalLink(keys.masterKey, TERMINAL, center.address.port);
    links.push(link);
    const early = await link.request({ type: 'validityRequest', terminalId: TERMINAL, mediumId: Buffer.from(GOOD, 'hex') });
    expect(early.type).toBe('validityEarlyAck');
    const tx = await link.request({ type: 'transactionRequest', transactionId: randomBytes(16), kind: 1, amountMinor: 500, currency: 'JPY', content: [] });
    expect(tx.type).toBe('transactionResult');

    const { samples } = await scrape();
    expect(sampleSum(samples, 'tessera_center_handshakes_total', { outcome: 'ok' })).toBe(1);
    expect(sampleSum(samples, 'tessera_center_sessions_open')).toBe(1);
    expect(sampleSum(samples, 'tessera_center_connections_open')).toBe(1);
    expect(sampleSum(samples, 'tessera_center_validity_answers_total', { answer: 'early_ack' })).toBe(1);
    expect(sampleSum(samples, 'tessera_center_requests_total', { type: 'validityRequest', response: 'validityEarlyAck', code: 'none' })).toBe(1);
    expect(sampleSum(samples, 'tessera_center_requests_total', { type: 'transactionRequest', response: 'transactionResult', code: '0x0000' })).toBe(1);
    expect(sampleSum(samples, 'tessera_center_request_duration_seconds_count', { type: 'validityRequest' })).toBe(1);
    expect(sampleSum(samples, 'tessera_center_transactions_started_total')).toBe(1);
    // cached-medium: the terminal was read from the database for the deferred check.
    expect(sampleSum(samples, 'tessera_center_validity_db_lookups_total', { list: 'terminal', result: 'found' })).toBeGreaterThanOrEqual(1);
    // The checked transaction was a committed unit of work.
    expect(sampleSum(samples, 'tessera_center_commit_batches_total', { outcome: 'ok' })).toBeGreaterThan(0);
    expect(sampleSum(samples, 'tessera_center_commit_batch_units_count')).toBeGreaterThan(0);

    // A lost card: NAK with its reason, and the session ends (sessions_open back to 0).
    const nak = await link.request({ type: 'validityRequest', terminalId: TERMINAL, mediumId: Buffer.from(LOST, 'hex') });
    expect(nak.type).toBe('validityNak');
    // The NAK ended the session; the link opens a new one (a second ok handshake, a second session).
    await until(async () => sampleSum((await scrape()).samples, 'tessera_center_sessions_total') === 2);
    const after = (await scrape()).samples;
    expect(sampleSum(after, 'tessera_center_handshakes_total', { outcome: 'ok' })).toBe(2);
    expect(sampleSum(after, 'tessera_center_validity_answers_total', { answer: 'nak' })).toBe(1);
    expect(sampleSum(after, 'tessera_center_requests_total', { type: 'validityRequest', response: 'validityNak', code: 'MEDIUM_LOST' })).toBe(1);
    await link.close();
    await until(async () => sampleSum((await scrape()).samples, 'tessera_center_sessions_open') === 0);
  });

  it('counts a bad MAC and a bad handshake proof as security events and handshake outcomes', async () => {
    const key = deriveTerminalKey(keys.masterKey, `k-${TERMINAL}`);
    const okBefore = sampleSum((await scrape()).samples, 'tessera_center_handshakes_total', { outcome: 'ok' });
    const wrong = await RawPeer.connect(center.address.port);
    peers.push(wrong);
    expect(await wrong.handshake(TERMINAL, Buffer.alloc(32, 7))).toBe('PROTO_AUTH_FAILED');
    const tamper = await RawPeer.connect(center.address.port);
    peers.push(tamper);
    expect(await tamper.handshake(TERMINAL, key)).toBe('authOk');
    const f = encodeFrame({ type: 'validityRequest', terminalId: TERMINAL, mediumId: Buffer.from(GOOD, 'hex') }, { seq: ++tamper.seq, requestId: 1, response: false, macKey: tamper.keys?.macT2c });
    f[25] = (f[25] as number) ^ 0x01;
    tamper.write(f);
    expect(await tamper.errorCode()).toBe('PROTO_BAD_MAC');

    await until(async () => sampleSum((await scrape()).samples, 'tessera_center_security_events_total', { event: 'BAD_MAC' }) === 1);
    const { samples, text } = await scrape();
    expect(sampleSum(samples, 'tessera_center_security_events_total', { event: 'AUTH_FAILED' })).toBe(1);
    expect(sampleSum(samples, 'tessera_center_security_events_total', { event: 'REPLAY' })).toBe(0);
    expect(sampleSum(samples, 'tessera_center_handshakes_total', { outcome: 'PROTO_AUTH_FAILED' })).toBe(1);
    expect(sampleSum(samples, 'tessera_center_handshakes_total', { outcome: 'ok' })).toBe(okBefore + 1);
    // A counter read at scrape time does not count twice on the next scrape.
    expect(sampleSum((await scrape()).samples, 'tessera_center_security_events_total', { event: 'BAD_MAC' })).toBe(1);
    // No session key, terminal key or id in the exposition.
    for (const secret of [key, tamper.keys?.macT2c, tamper.keys?.macC2t]) expect(text).not.toContain((secret as Buffer).toString('hex'));
    expect(text).not.toContain(TERMINAL);
    expect(text).not.toContain(GOOD);
  });

  it('counts committed ledger transfers by result, whichever Ledger instance on this storage booked them', async () => {
    const ledger = await Ledger.open(storage, systemClock);
    const acct = (id: string, must = false) => ({ id, owner: `o-${id}`, kind: 'user_bank' as const, currency: 'JPY', ...(must && { flags: { debitsMustNotExceedCredits: true } }) });
    await ledger.createAccounts([acct('m-world'), acct('m-alice', true)]);
    const id = randomBytes(16).toString('hex');
    const t = { id, debitAccountId: 'm-world', creditAccountId: 'm-alice', amountMinor: 100, currency: 'JPY' };
    expect((await ledger.createTransfers([t]))[0]?.result).toBe(TR.ok);
    expect((await ledger.createTransfers([t]))[0]?.result).toBe(TR.exists);
    const over = { id: randomBytes(16).toString('hex'), debitAccountId: 'm-alice', creditAccountId: 'm-world', amountMinor: 1_000, currency: 'JPY' };
    expect((await ledger.createTransfers([over]))[0]?.result).toBe(TR.insufficient_funds);
    const { samples } = await scrape();
    expect(sampleSum(samples, 'tessera_center_ledger_transfers_total', { result: 'ok' })).toBe(1);
    expect(sampleSum(samples, 'tessera_center_ledger_transfers_total', { result: 'exists' })).toBe(1);
    expect(sampleSum(samples, 'tessera_center_ledger_transfers_total', { result: 'insufficient_funds' })).toBe(1);
  });

  it('counts HTTP requests by route pattern and status: ids in paths and unmatched URLs add no series', async () => {
    for (let i = 0; i < 5; i++) expect((await fetch(`${base}/terminals/T-${i}`)).status).toBe(200);
    for (let i = 0; i < 5; i++) expect((await fetch(`${base}/nothing/${randomBytes(4).toString('hex')}`)).status).toBe(404);
    const { samples, text } = await scrape();
    expect(sampleSum(samples, 'tessera_center_http_requests_total', { route: '/terminals/:id', method: 'GET', status: '200' })).toBe(5);
    expect(sampleSum(samples, 'tessera_center_http_requests_total', { route: 'other', method: 'GET', status: '404' })).toBe(5);
    expect(sampleSum(samples, 'tessera_center_http_requests_total', { route: '/metrics', status: '200' })).toBeGreaterThan(0);
    expect(text).not.toContain('T-3');
    expect(text).not.toContain('/nothing');
  });

  it('keeps process metrics and everything else in this center\'s registry, not the global default one', async () => {
    const { samples } = await scrape();
    expect(sampleSum(samples, 'process_cpu_seconds_total')).toBeGreaterThan(0);
    expect(sampleSum(samples, 'nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
    // Left out on purpose: it lists /proc/self/fd on every scrape, one entry per connected terminal.
    expect(samples.some((x) => x.name === 'process_open_fds')).toBe(false);
    expect(await globalRegister.metrics()).not.toContain('tessera_center_');
    const other = new CenterMetrics({ processMetrics: false });
    expect(await other.scrape()).not.toContain('tessera_center_sessions_total 1');
  });
});
