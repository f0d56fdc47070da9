/**
 * `npm run bench -- merchant-api [--json] [--seconds 5] [--connections 16]`
 *
 * The merchant API (center/merchant-api) on loopback with autocannon, against
 * baselines measured in the same run on the same machine:
 *  - read route `GET /v1/settlements?limit=10` (API-key auth, per-key rate
 *    limit, a SQLite page of 10 batches with control totals) vs a bare
 *    fastify route answering a constant (target: read ≥ 0.5× bare);
 *  - idempotent `POST /v1/reconciliations` (a new Idempotency-Key per
 *    request: a durable record and a reconciliation row per request) vs the
 *    raw group-committed SQLite rate of one-row units at the same
 *    concurrency (the POST is bounded by it).
 */
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import fastify from 'fastify';
import { encodeRecords, encodeResults } from '../center/emoney/batch-row.js';
import { emoneyMigrations } from '../center/emoney/schema.js';
import { startHttpServer } from '../center/http/app.js';
import { startMerchantApi } from '../center/merchant-api/server.js';
import { openStorage } from '../center/storage/open.js';
import type { Storage } from '../center/storage/types.js';
import { systemClock } from '../core/clock.js';
import { silentLogger } from '../core/log.js';
import { systemRandom } from '../core/random.js';
import { RECORD_STATUS } from '../protocol/codes.js';

interface CannonResult {
  requests: { average: number };
  latency: { p50: number; p99: number };
  non2xx: number;
  errors: number;
}
interface CannonRequest {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string;
  setupRequest?: (req: CannonRequest) => CannonRequest;
}
type Autocannon = (opts: { url: string; connections: number; duration: number; headers?: Record<string, string>; requests?: CannonRequest[] }) => Promise<CannonResult>;
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

const BATCHES = 200;

export async function run(args: string[], report: (line: string) => void): Promise<Record<string, unknown>> {
  const { values } = parseArgs({ args, options: { seconds: { type: 'string', default: '5' }, connections: { type: 'string', default: '16' } } });
  const duration = Number(values.seconds);
  const connections = Number(values.connections);
  const dir = mkdtempSync(join(tmpdir(), 'bench-merchant-'));
  const storage = await openStorage(join(dir, 'center.db'));
  try {
    await storage.migrate(emoneyMigrations);
    const ids = await seedBatches(storage);
    const api = await startMerchantApi({
      storage, host: '127.0.0.1', port: 0, rateLimit: { max: 1_000_000, windowMs: 1_000 }, clock: systemClock, random: systemRandom, log: silentLogger,
    });
    const bare = fastify({ logger: false });
    bare.get('/bare', async () => ({ ok: true, items: [] }));
    await bare.listen({ host: '127.0.0.1', port: 0 });
    const barePort = (bare.server.address() as { port: number }).port;
    // The same constant answer on the shared HTTP surface (helmet, rate limit, under-pressure, zod): where the cost is.
    const surface = await startHttpServer({
      title: 'bench', host: '127.0.0.1', port: 0, rateLimit: false,
      contributors: [(app) => void app.get('/bare', { config: { public: true } }, async () => ({ ok: true, items: [] }))],
    });
    try {
      await api.merchants.add('bench-shop', 'SHOP-BENCH');
      const { key } = await api.merchants.addKey('bench-shop');
      const auth = { authorization: `Bearer ${key}` };
      const figure = (r: CannonResult) => ({ rps: Math.round(r.requests.average), p50Ms: r.latency.p50, p99Ms: r.latency.p99, non2xx: r.non2xx, errors: r.errors });

      report(`bare fastify route, ${connections} connections, ${duration} s ...`);
      const bareR = figure(await autocannon({ url: `http://127.0.0.1:${barePort}/bare`, connections, duration }));
      report(`the same route on the shared HTTP surface ...`);
      const surfaceR = figure(await autocannon({ url: `${surface.url}/bare`, connections, duration }));
      report(`merchant read route GET /v1/settlements?limit=10 ...`);
      const read = figure(await autocannon({ url: `${api.url}/v1/settlements?limit=10`, connections, duration, headers: auth }));
      let n = 0;
      const body = JSON.stringify({ settlementIds: ids.slice(0, 3), declared: { count: 3, totalMinor: 300, currency: 'JPY' } });
      report(`merchant idempotent POST /v1/reconciliations (new key per request) ...`);
      const post = figure(await autocannon({
        url: api.url, connections, duration,
        requests: [{ method: 'POST', path: '/v1/reconciliations', body, setupRequest: (req) => ({ ...req, headers: { ...auth, 'content-type': 'application/json', 'idempotency-key': `bench-${++n}` } }) }],
      }));
      report(`raw SQLite group commit, ${connections} units in flight ...`);
      const rawUnitsPerS = await rawCommitRate(storage, connections, duration);
      const result = {
        connections, seconds: duration,
        bare: bareR, surface: surfaceR, read, post, rawCommitUnitsPerS: Math.round(rawUnitsPerS),
        readVsBare: round(read.rps / bareR.rps), surfaceVsBare: round(surfaceR.rps / bareR.rps), readVsSurface: round(read.rps / surfaceR.rps), postVsRawCommit: round(post.rps / rawUnitsPerS),
      };
      report(`read ${read.rps} req/s (p50 ${read.p50Ms} ms, p99 ${read.p99Ms} ms) = ${result.readVsBare}x bare ${bareR.rps} req/s (target >= 0.5x)`);
      report(`shared surface ${surfaceR.rps} req/s = ${result.surfaceVsBare}x bare; read = ${result.readVsSurface}x the surface's constant route`);
      report(`idempotent POST ${post.rps} req/s (p50 ${post.p50Ms} ms, p99 ${post.p99Ms} ms) = ${result.postVsRawCommit}x raw commit ${result.rawCommitUnitsPerS} units/s`);
      return result;
    } finally {
      await bare.close();
      await surface.close();
      await api.close();
    }
  } finally {
    await storage.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}

async function seedBatches(storage: Storage): Promise<string[]> {
  const ids: string[] = [];
  await storage.transact(async (tx) => {
    for (let i = 0; i < BATCHES; i++) {
      const id = i.toString(16).padStart(32, '0');
      ids.push(id);
      const rec = { mediumId: Buffer.from('00000000000000b1', 'hex'), cardCounter: i, amountMinor: 100, currency: 'JPY', terminalId: 'T-BENCH', terminalNonce: Buffer.alloc(8), cardMac: Buffer.alloc(8) };
      await tx.run(
        `INSERT INTO emoney_batches (id, terminal_id, shop_id, bank_code, state, records, results, total, currency, code, created_ms, updated_ms) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)`,
        [id, 'T-BENCH', 'SHOP-BENCH', '0001', 'settled', encodeRecords([rec]), encodeResults([{ mediumId: rec.mediumId, cardCounter: i, status: RECORD_STATUS.ACCEPTED }]), 100, 'JPY', 'OK', i, i],
      );
    }
  });
  return ids;
}

/** Units per second of one-row inserts through storage.transact with `inFlight` units outstanding (the group commit's batching). */
async function rawCommitRate(storage: Storage, inFlight: number, seconds: number): Promise<number> {
  await storage.migrate({ module: 'bench-raw', migrations: [{ version: 1, name: 'rows', sql: 'CREATE TABLE bench_raw (id INTEGER PRIMARY KEY, v TEXT NOT NULL)' }] });
  const endMs = performance.now() + seconds * 1000;
  let done = 0;
  const worker = async (): Promise<void> => {
    while (performance.now() < endMs) {
      await storage.transact((tx) => tx.run('INSERT INTO bench_raw (v) VALUES (?)', ['x'.repeat(200)]));
      done++;
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: inFlight }, worker));
  return done / ((performance.now() - t0) / 1000);
}
