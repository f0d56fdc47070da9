/**
 * `npm run bench -- http [--json] [--duration S] [--connections N] [--terminals N] [--scrapes N]`
 *
 * Issue 11's HTTP figures, every baseline measured in the same run on the
 * same machine:
 *  - a bare fastify route answering a constant (the merchant listener's
 *    server options, no plugins, no auth, no schema), measured in
 *    ROUNDS rounds alternating with the read route (bare, read, bare, read,
 *    ...: the machine's load moves between phases; each read phase is
 *    compared with the bare phase just before it, and readVsBare is the
 *    median of those ratios), and the same
 *    constant on the shared HTTP surface (center/http: helmet, rate limit,
 *    under-pressure, zod), to say where the cost is;
 *  - the merchant API's read route `GET /v1/settlements?limit=10` (API-key
 *    auth, per-key rate limit, a SQLite page of 10 settled batches with
 *    control totals). Target: read ≥ 0.5× the bare route;
 *  - its idempotent POST `POST /v1/reconciliations` with a new
 *    Idempotency-Key per request (the idempotency record and the
 *    reconciliation row in one group-committed unit), and the same POST
 *    replayed (one key, same body: the stored answer);
 *  - the raw group-commit rate: `storage.transact` with one trivial insert
 *    per unit, as many units in flight as the HTTP phases have connections,
 *    on the same storage. The durable POST is bounded by it: postVsRawCommit;
 *  - the /metrics scrape with N terminals connected vs an empty scrape
 *    (bench/metrics.ts metricsScrapeBench, suite `metrics`): scrapeRatio.
 *
 * CPU per request: the main thread's CPU time over the phase (Linux
 * /proc/self/task/<pid>/stat, 10 ms ticks; the load generator's worker
 * thread is not counted) divided by the requests answered. It moves less
 * with the machine's load than throughput: readVsBareCpu = bare µs / read µs
 * (medians over the rounds), the throughput ratio the read route would have
 * on an otherwise idle core.
 *
 * autocannon fires from a worker thread (its `workers` option) so the load
 * generator does not share the servers' event loop; the servers and the
 * storage run on this process's main thread, as in a center. Latencies are
 * autocannon's (whole milliseconds). Each phase is warmed up (a third of
 * --duration, at most 1 s, not counted), then lasts --duration seconds
 * (default 3). The JSON's failedRequests counts non-2xx answers, socket errors and
 * timeouts over every phase: anything but 0 makes the figures suspect.
 */
import { createRequire } from 'node:module';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fastify from 'fastify';
import { encodeRecords, encodeResults } from '../center/emoney/batch-row.js';
import { emoneyMigrations } from '../center/emoney/schema.js';
import { startHttpServer } from '../center/http/app.js';
import { HTTP_LIMITS } from '../center/http/limits.js';
import { MERCHANT_LIMITS } from '../center/merchant-api/limits.js';
import { startMerchantApi } from '../center/merchant-api/server.js';
import { openStorage } from '../center/storage/open.js';
import type { Storage } from '../center/storage/types.js';
import { systemClock } from '../core/clock.js';
import { silentLogger } from '../core/log.js';
import { systemRandom } from '../core/random.js';
import { RECORD_STATUS } from '../protocol/codes.js';
import { rawCommitRate, round, withBatchSizes } from './_commit.js';
import { metricsScrapeBench } from './metrics.js';

interface CannonResult {
  requests: { average: number; total: number };
  statusCodeStats: Record<string, { count: number }>;
  latency: { p50: number; p99: number };
  '2xx': number;
  non2xx: number;
  errors: number;
  timeouts: number;
}
interface CannonOptions {
  url: string;
  connections: number;
  duration: number;
  workers?: number;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** Replaces `[<id>]` anywhere in the request (here: the Idempotency-Key header) with a unique id per request. */
  idReplacement?: boolean;
}
type Autocannon = (opts: CannonOptions) => Promise<CannonResult>;
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

/** Settled batches of the bench shop (the read route pages 10 of them). */
const BATCHES = 200;
const READ_TARGET = 0.5;
/** Alternating bare/read rounds (the medians are compared). */
const ROUNDS = 3;

/** This process's main thread CPU time in µs (Linux: utime + stime of the thread whose id is the pid, in 10 ms ticks), or undefined elsewhere. */
function mainThreadCpuUs(): number | undefined {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(f[11]) + Number(f[12]);
    return Number.isFinite(ticks) ? ticks * 10_000 : undefined;
  } catch {
    return undefined;
  }
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

interface Options {
  duration: number;
  connections: number;
  terminals: number;
  scrapes: number;
}

function parseOptions(args: string[]): Options {
  const num = (name: string, dflt: number, min: number): number => {
    const i = args.indexOf(`--${name}`);
    const v = i >= 0 ? Number(args[i + 1]) : dflt;
    if (!Number.isFinite(v) || v < min) throw new Error(`--${name} needs a number >= ${min}`);
    return v;
  };
  return {
    duration: num('duration', 3, 0.1),
    connections: Math.floor(num('connections', 16, 1)),
    terminals: Math.floor(num('terminals', 1000, 1)),
    scrapes: Math.floor(num('scrapes', 200, 1)),
  };
}

interface Phase {
  rps: number;
  p50Ms: number;
  p99Ms: number;
  ok: number;
  failed: number;
  /** The failures by HTTP status (and `errors`, `timeouts`): a 429 or 409 answered fast must not pass for throughput. */
  failures: Record<string, number>;
  /** Main-thread CPU µs per answered request (undefined off Linux). */
  cpuUsPerReq?: number;
}

function phase(r: CannonResult): Phase {
  const failures: Record<string, number> = {};
  for (const [status, { count }] of Object.entries(r.statusCodeStats)) if (!status.startsWith('2') && count > 0) failures[status] = count;
  if (r.errors > 0) failures.errors = r.errors;
  if (r.timeouts > 0) failures.timeouts = r.timeouts;
  return { rps: Math.round(r.requests.average), p50Ms: r.latency.p50, p99Ms: r.latency.p99, ok: r['2xx'], failed: r.non2xx + r.errors + r.timeouts, failures };
}

export async function seedBatches(storage: Storage, shopId: string): Promise<string[]> {
  const ids: string[] = [];
  await storage.transact(async (tx) => {
    for (let i = 0; i < BATCHES; i++) {
      const id = i.toString(16).padStart(32, '0');
      ids.push(id);
      const rec = { mediumId: Buffer.from('00000000000000b1', 'hex'), cardCounter: i, amountMinor: 100, currency: 'JPY', terminalId: 'T-BENCH', terminalNonce: Buffer.alloc(8), cardMac: Buffer.alloc(8) };
      await tx.run(
        'INSERT INTO emoney_batches (id, terminal_id, shop_id, bank_code, state, records, results, total, currency, code, created_ms, updated_ms) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)',
        [id, 'T-BENCH', shopId, '0001', 'settled', encodeRecords([rec]), encodeResults([{ mediumId: rec.mediumId, cardCounter: i, status: RECORD_STATUS.ACCEPTED }]), 100, 'JPY', 'OK', i, i],
      );
    }
  });
  return ids;
}

async function countRows(storage: Storage, table: string): Promise<number> {
  const row = await storage.read((q) => q.get<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`));
  return Number(row?.n ?? 0);
}

export async function run(args: string[], report: (line: string) => void): Promise<Record<string, unknown>> {
  const o = parseOptions(args);
  const { duration, connections } = o;
  const fire = (c: Omit<CannonOptions, 'connections' | 'duration' | 'workers'>, seconds: number): Promise<CannonResult> => autocannon({ ...c, connections, duration: seconds, workers: 1 });
  /** A warm-up of the same requests (a third of the phase, at most 1 s; not counted), then the measured phase. */
  const warm = (c: Omit<CannonOptions, 'connections' | 'duration' | 'workers'>): Promise<CannonResult> => fire(c, Math.min(1, duration / 3));
  const cannon = (c: Omit<CannonOptions, 'connections' | 'duration' | 'workers'>): Promise<CannonResult> => fire(c, duration);
  /** A measured phase with the main thread's CPU per request. */
  const measured = async (c: Omit<CannonOptions, 'connections' | 'duration' | 'workers'>): Promise<Phase> => {
    const cpu0 = mainThreadCpuUs();
    const r = await cannon(c);
    const cpu1 = mainThreadCpuUs();
    const p = phase(r);
    if (cpu0 !== undefined && cpu1 !== undefined && r.requests.total > 0) p.cpuUsPerReq = Math.round((cpu1 - cpu0) / r.requests.total);
    return p;
  };
  const dir = mkdtempSync(join(tmpdir(), 'tessera-bench-http-'));
  const storage = await openStorage({ engine: 'sqlite', path: join(dir, 'center.db') });
  const closers: Array<() => Promise<unknown>> = [];
  try {
    await storage.migrate(emoneyMigrations);
    const ids = await seedBatches(storage, 'SHOP-BENCH');
    const api = await startMerchantApi({
      storage, host: '127.0.0.1', port: 0, rateLimit: { max: 1_000_000_000, windowMs: 1_000 }, addressRateLimit: false, clock: systemClock, random: systemRandom, log: silentLogger,
    });
    closers.push(() => api.close());
    // The baseline: fastify with the merchant listener's own server options (body limit, request timeout,
    // 503 while closing), no plugins, no auth, no schema, a constant answer.
    const bare = fastify({ logger: false, bodyLimit: MERCHANT_LIMITS.bodyBytesMax, requestTimeout: HTTP_LIMITS.requestTimeoutMs, return503OnClosing: true });
    bare.get('/bare', async () => ({ ok: true, items: [] }));
    await bare.listen({ host: '127.0.0.1', port: 0 });
    closers.push(() => bare.close());
    const barePort = (bare.server.address() as { port: number }).port;
    const surface = await startHttpServer({
      title: 'bench', host: '127.0.0.1', port: 0, rateLimit: false,
      contributors: [(app) => void app.get('/bare', { config: { public: true } }, async () => ({ ok: true, items: [] }))],
    });
    closers.push(() => surface.close());

    await api.merchants.add('bench-shop', 'SHOP-BENCH');
    const { key } = await api.merchants.addKey('bench-shop');
    const auth = { authorization: `Bearer ${key}` };
    const postHeaders = { ...auth, 'content-type': 'application/json' };
    const body = JSON.stringify({ settlementIds: ids.slice(0, 3), declared: { count: 3, totalMinor: 300, currency: 'JPY' } });

    report(`HTTP phases: ${connections} connections, ${duration} s each, autocannon in a worker thread`);
    const bareReq = { url: `http://127.0.0.1:${barePort}/bare` };
    const surfaceReq = { url: `${surface.url}/bare` };
    report('the constant route on the shared HTTP surface (center/http) ...');
    await warm(surfaceReq);
    const surfaceP = await measured(surfaceReq);
    const readReq = { url: `${api.url}/v1/settlements?limit=10`, headers: auth };
    await warm(bareReq);
    await warm(readReq);
    // Alternating rounds: the machine's load moves between phases, so each read phase is compared with the bare phase just before it.
    const bareRounds: Phase[] = [];
    const readRounds: Phase[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      report(`round ${i + 1}/${ROUNDS}: bare fastify route, then merchant read route GET /v1/settlements?limit=10 ...`);
      bareRounds.push(await measured(bareReq));
      readRounds.push(await measured(readReq));
    }
    const bareP = bareRounds[0]!;
    const bareAfterP = bareRounds[ROUNDS - 1]!;
    const bareAroundRps = Math.round(median(bareRounds.map((p) => p.rps)));
    const readMedianRps = Math.round(median(readRounds.map((p) => p.rps)));
    const roundRatios = readRounds.map((p, i) => round(p.rps / Math.max(1, bareRounds[i]!.rps)));
    const cpuOf = (ps: Phase[]): number | undefined => (ps.every((p) => p.cpuUsPerReq !== undefined) ? median(ps.map((p) => p.cpuUsPerReq!)) : undefined);
    const bareCpu = cpuOf(bareRounds);
    const readCpu = cpuOf(readRounds);
    const readVsBareCpu = bareCpu !== undefined && readCpu !== undefined && readCpu > 0 ? round(bareCpu / readCpu) : undefined;
    const readP = { ...readRounds[0]!, rps: readMedianRps, p50Ms: median(readRounds.map((p) => p.p50Ms)), p99Ms: median(readRounds.map((p) => p.p99Ms)), ok: readRounds.reduce((n, p) => n + p.ok, 0), failed: readRounds.reduce((n, p) => n + p.failed, 0) };
    const bareFailed = bareRounds.reduce((n, p) => n + p.failed, 0);
    const postReq = { url: `${api.url}/v1/reconciliations`, method: 'POST', headers: { ...postHeaders, 'idempotency-key': 'bench-[<id>]' }, body, idReplacement: true };
    report('merchant idempotent POST /v1/reconciliations, a new Idempotency-Key per request ...');
    await warm(postReq);
    const rowsBefore = await countRows(storage, 'merchant_reconciliations');
    const post = await withBatchSizes(storage, async () => phase(await cannon(postReq)));
    const postP = post.value;
    const postRowsWritten = (await countRows(storage, 'merchant_reconciliations')) - rowsBefore;
    // The key is stored first, so every request of the phase is a replay (not a 409 for a key still in progress).
    const replayReq = { url: `${api.url}/v1/reconciliations`, method: 'POST', headers: { ...postHeaders, 'idempotency-key': 'bench-replay' }, body };
    const first = await fetch(replayReq.url, { method: 'POST', headers: replayReq.headers, body });
    if (first.status !== 201) throw new Error(`the first POST of the replay key answered ${first.status}: ${await first.text()}`);
    report('the same POST replayed (one Idempotency-Key, same body) ...');
    await warm(replayReq);
    const replayP = phase(await cannon(replayReq));
    report(`raw SQLite group commit: storage.transact with one insert, ${connections} units in flight, ${duration} s ...`);
    const raw = await withBatchSizes(storage, () => rawCommitRate(storage, connections, duration));
    const rawCommitRps = Math.round(raw.value);

    const failedRequests = bareFailed + surfaceP.failed + readP.failed + postP.failed + replayP.failed;
    const readVsBare = median(roundRatios);
    const readVsBareMedians = round(readP.rps / Math.max(1, bareAroundRps));
    const postVsRawCommit = round(postP.rps / Math.max(1, rawCommitRps));
    report(`bare ${bareP.rps} req/s (p50 ${bareP.p50Ms} ms, p99 ${bareP.p99Ms} ms); shared surface ${surfaceP.rps} req/s = ${round(surfaceP.rps / Math.max(1, bareP.rps))}x bare`);
    report(`read ${readP.rps} req/s median (p50 ${readP.p50Ms} ms, p99 ${readP.p99Ms} ms) vs bare ${bareAroundRps} req/s median; per round ${roundRatios.join(', ')}: ${readVsBare}x bare (target >= ${READ_TARGET}x: ${readVsBare >= READ_TARGET ? 'met' : 'NOT met'})`);
    if (readVsBareCpu !== undefined) report(`main-thread CPU per request: bare ${bareCpu} µs, surface ${surfaceP.cpuUsPerReq} µs, read ${readCpu} µs: ${readVsBareCpu}x (bare/read)`);
    report(`POST ${postP.rps} req/s (p50 ${postP.p50Ms} ms, p99 ${postP.p99Ms} ms, ${post.unitsPerBatch} units per commit, committer busy ${post.committerBusy} of the time, ${postRowsWritten} rows written) = ${postVsRawCommit}x raw commit ${rawCommitRps} units/s (${raw.unitsPerBatch} units per commit, busy ${raw.committerBusy})`);
    report(`replayed POST ${replayP.rps} req/s (p50 ${replayP.p50Ms} ms, p99 ${replayP.p99Ms} ms)`);
    if (failedRequests > 0) {
      const byPhase = Object.entries({ ...Object.fromEntries(bareRounds.map((p, i) => [`bare${i + 1}`, p])), ...Object.fromEntries(readRounds.map((p, i) => [`read${i + 1}`, p])), surface: surfaceP, post: postP, replay: replayP }).filter(([, p]) => p.failed > 0).map(([n, p]) => `${n} ${JSON.stringify(p.failures)}`);
      report(`WARNING: ${failedRequests} requests failed (${byPhase.join('; ')}): the figures are suspect`);
    }

    // The HTTP servers go before the 1,000 terminals come.
    for (const c of closers.splice(0).reverse()) await c();
    report(`/metrics scrape: ${o.terminals} terminals vs none (bench/metrics.ts) ...`);
    const metrics = await metricsScrapeBench(o.terminals, o.scrapes, report);

    return {
      suite: 'http',
      durationS: duration,
      connections,
      loadWorkers: 1,
      bareRps: bareP.rps,
      bareP50Ms: bareP.p50Ms,
      bareP99Ms: bareP.p99Ms,
      bareAfterRps: bareAfterP.rps,
      bareAroundRps,
      surfaceRps: surfaceP.rps,
      surfaceP99Ms: surfaceP.p99Ms,
      surfaceVsBare: round(surfaceP.rps / Math.max(1, bareP.rps)),
      readRps: readP.rps,
      readP50Ms: readP.p50Ms,
      readP99Ms: readP.p99Ms,
      readVsBare,
      readTarget: READ_TARGET,
      rounds: ROUNDS,
      bareRoundsRps: bareRounds.map((p) => p.rps),
      readRoundsRps: readRounds.map((p) => p.rps),
      readRoundRatios: roundRatios,
      readVsBareMedians,
      bareCpuUsPerReq: bareCpu,
      surfaceCpuUsPerReq: surfaceP.cpuUsPerReq,
      readCpuUsPerReq: readCpu,
      readVsBareCpu,
      readMeetsTarget: readVsBare >= READ_TARGET,
      postRps: postP.rps,
      postP50Ms: postP.p50Ms,
      postP99Ms: postP.p99Ms,
      postOk: postP.ok,
      postRowsWritten,
      postUnitsPerCommit: post.unitsPerBatch,
      postCommitterBusy: post.committerBusy,
      replayRps: replayP.rps,
      replayP50Ms: replayP.p50Ms,
      replayP99Ms: replayP.p99Ms,
      rawCommitRps,
      rawUnitsPerCommit: raw.unitsPerBatch,
      rawCommitterBusy: raw.committerBusy,
      postVsRawCommit,
      failedRequests,
      failedByPhase: { bare: bareFailed, surface: surfaceP.failed, read: readP.failed, post: postP.failed, replay: replayP.failed },
      scrapeTerminals: metrics.terminals,
      scrapeSessionsOpen: metrics.sessionsOpen,
      emptyScrapeMsP50: metrics.emptyScrapeMsP50,
      loadedScrapeMsP50: metrics.loadedScrapeMsP50,
      scrapeRatio: metrics.scrapeLoadedVsEmpty,
      registryScrapeRatio: metrics.registryLoadedVsEmpty,
      metrics,
    };
  } finally {
    for (const c of closers.reverse()) await c().catch(() => undefined);
    await storage.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
