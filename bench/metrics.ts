/**
 * `npm run bench -- metrics [--json] [--terminals N] [--scrapes N]`
 *
 * The cost of a /metrics scrape with N terminals (default 1,000) holding
 * real sessions to an in-process center (LinkClient → TCP → CenterServer,
 * handshake with each terminal's derived key, one validity request and one
 * transaction each), as a ratio to a scrape of the same center with no
 * terminal connected, measured in the same run. The endpoint is the fastify
 * route the admin listener mounts (center/metrics/http.ts), fetched over
 * loopback HTTP; the registry's own serialisation is reported beside it.
 * Part of issue 11's `npm run bench -- http` figures (metricsScrapeBench).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import Fastify from 'fastify';
import { CenterMetrics } from '../center/metrics/center-metrics.js';
import { metricsRoute } from '../center/metrics/http.js';
import { parseCenterConfig } from '../center/server/config.js';
import { startCenter } from '../center/server/start-center.js';
import { CENTER_MODULES, centerModules } from '../center/modules.js';
import { ValidityRepository } from '../center/validity/repository.js';
import { deriveTerminalKey } from '../center/server/terminal-keys.js';
import { openStorage } from '../center/storage/open.js';
import { PROTOCOL_LIMITS } from '../protocol/limits.js';
import { LinkClient } from '../terminal/link/link-client.js';

export interface ScrapeFigures {
  readonly scrapes: number;
  readonly msP50: number;
  readonly msP99: number;
  readonly registryMsP50: number;
  readonly bytes: number;
  readonly series: number;
}

function arg(args: string[], name: string, dflt: number): number {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
}

function pct(sorted: number[], p: number): number {
  return Number((sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0).toFixed(3));
}

async function measure(url: string, metrics: CenterMetrics, scrapes: number): Promise<ScrapeFigures> {
  for (let i = 0; i < 20; i++) await (await fetch(url)).text(); // warm-up
  const http: number[] = [];
  const reg: number[] = [];
  let text = '';
  for (let i = 0; i < scrapes; i++) {
    const t0 = performance.now();
    text = await (await fetch(url)).text();
    http.push(performance.now() - t0);
  }
  // The registry on its own, in a loop of its own (not behind an HTTP exchange still being wound down).
  for (let i = 0; i < scrapes; i++) {
    const t1 = performance.now();
    await metrics.scrape();
    reg.push(performance.now() - t1);
  }
  http.sort((a, b) => a - b);
  reg.sort((a, b) => a - b);
  const series = text.split('\n').filter((l) => l !== '' && !l.startsWith('#')).length;
  return { scrapes, msP50: pct(http, 0.5), msP99: pct(http, 0.99), registryMsP50: pct(reg, 0.5), bytes: Buffer.byteLength(text), series };
}

/** The three metrics whose collection takes longest (median of 20), to say where a scrape's time goes. */
async function slowestCollectors(metrics: CenterMetrics): Promise<Array<{ name: string; ms: number }>> {
  const out: Array<{ name: string; ms: number }> = [];
  for (const m of metrics.registry.getMetricsAsArray()) {
    const t: number[] = [];
    for (let i = 0; i < 20; i++) {
      const t0 = performance.now();
      await (m as unknown as { get(): Promise<unknown> }).get();
      t.push(performance.now() - t0);
    }
    out.push({ name: m.name, ms: pct(t.sort((a, b) => a - b), 0.5) });
  }
  return out.sort((a, b) => b.ms - a.ms).slice(0, 3);
}

/** Takes the node process collectors out (last step: the registry is not scraped over HTTP after this) and times the rest. */
async function registryWithoutProcessMetrics(metrics: CenterMetrics, scrapes: number): Promise<number> {
  for (const m of metrics.registry.getMetricsAsArray()) if (!m.name.startsWith('tessera_')) metrics.registry.removeSingleMetric(m.name);
  const t: number[] = [];
  for (let i = 0; i < scrapes; i++) {
    const t0 = performance.now();
    await metrics.scrape();
    t.push(performance.now() - t0);
  }
  return pct(t.sort((a, b) => a - b), 0.5);
}

/** Connects `n` terminals, a handshake burst at a time (the listener admits PROTOCOL_LIMITS.unauthenticatedPerSourceMax per address). */
async function connectTerminals(n: number, port: number, masterKey: Buffer): Promise<LinkClient[]> {
  const links: LinkClient[] = [];
  const burst = PROTOCOL_LIMITS.unauthenticatedPerSourceMax;
  for (let i = 0; i < n; i += burst) {
    const batch = Array.from({ length: Math.min(burst, n - i) }, (_, k) => {
      const id = terminalId(i + k);
      const link = new LinkClient({ terminalId: id, terminalKey: deriveTerminalKey(masterKey, `k-${id}`), centers: [{ host: '127.0.0.1', port }], maxAttempts: 3 });
      links.push(link);
      const up = new Promise<void>((resolve) => link.on('up', () => resolve()));
      link.start();
      return up;
    });
    await Promise.all(batch);
  }
  return links;
}

function terminalId(i: number): string {
  return `B-${String(i).padStart(6, '0')}`;
}

export async function metricsScrapeBench(terminals: number, scrapes: number, report: (line: string) => void): Promise<Record<string, unknown>> {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-bench-metrics-'));
  const masterKey = randomBytes(32);
  const masterKeyFile = join(dir, 'master.key');
  writeFileSync(masterKeyFile, masterKey.toString('hex'), { mode: 0o600 });
  const storage = await openStorage({ engine: 'sqlite', path: join(dir, 'center.db') });
  await (await ValidityRepository.open(storage)).addTerminals(Array.from({ length: terminals }, (_, i) => ({ id: terminalId(i), ownerKind: 'store' as const, ownerId: 'BENCH', keyRef: `k-${terminalId(i)}` })));
  const media = Array.from({ length: 100 }, (_, i) => `b${String(i).padStart(15, '0')}`);
  await (await ValidityRepository.open(storage)).addMedia(media.map((id) => ({ id, expiresAtMs: Date.now() + 86_400_000 })));
  const metrics = new CenterMetrics();
  const config = parseCenterConfig({ listen: { host: '127.0.0.1', port: 0, maxConnections: Math.max(terminals + 8, 16) }, terminalKeys: { masterKeyFile }, validity: { mode: 'cached' } }, CENTER_MODULES);
  const center = await startCenter(config, centerModules({ metrics }), { storage, metrics });
  const app = Fastify();
  metricsRoute(metrics)(app);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const addr = app.server.address();
  const url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}/metrics`;
  let links: LinkClient[] = [];
  try {
    const empty = await measure(url, metrics, scrapes);
    report(`empty center: scrape p50 ${empty.msP50} ms (p99 ${empty.msP99}), ${empty.series} series, ${empty.bytes} bytes; registry alone p50 ${empty.registryMsP50} ms`);
    const t0 = performance.now();
    links = await connectTerminals(terminals, center.address.port, masterKey);
    const connectS = (performance.now() - t0) / 1000;
    await Promise.all(links.map(async (l, i) => {
      await l.request({ type: 'validityRequest', terminalId: terminalId(i), mediumId: Buffer.from(media[i % media.length]!, 'hex') });
      await l.request({ type: 'transactionRequest', transactionId: randomBytes(16), kind: 1, amountMinor: 100, currency: 'JPY', content: [] });
    }));
    const open = Number((await metrics.registry.getSingleMetric('tessera_center_sessions_open')?.get())?.values[0]?.value ?? 0);
    report(`${terminals} terminals connected in ${connectS.toFixed(1)} s, ${open} sessions open, 2 requests each`);
    const loaded = await measure(url, metrics, scrapes);
    report(`${terminals} terminals: scrape p50 ${loaded.msP50} ms (p99 ${loaded.msP99}), ${loaded.series} series, ${loaded.bytes} bytes; registry alone p50 ${loaded.registryMsP50} ms`);
    const slowest = await slowestCollectors(metrics);
    report(`slowest collectors with ${terminals} terminals: ${slowest.map((c) => `${c.name} ${c.ms} ms`).join(', ')}`);
    const ownOnly = await registryWithoutProcessMetrics(metrics, scrapes);
    report(`registry alone without the node process collectors, ${terminals} terminals: p50 ${ownOnly} ms`);
    const ratio = Number((loaded.msP50 / Math.max(0.001, empty.msP50)).toFixed(2));
    const registryRatio = Number((loaded.registryMsP50 / Math.max(0.001, empty.registryMsP50)).toFixed(2));
    report(`scrape cost with ${terminals} terminals / empty: ${ratio}x over HTTP, ${registryRatio}x for the registry alone`);
    return {
      terminals,
      sessionsOpen: open,
      emptyScrapeMsP50: empty.msP50,
      emptyScrapeMsP99: empty.msP99,
      emptySeries: empty.series,
      emptyBytes: empty.bytes,
      loadedScrapeMsP50: loaded.msP50,
      loadedScrapeMsP99: loaded.msP99,
      loadedSeries: loaded.series,
      loadedBytes: loaded.bytes,
      registryMsP50Empty: empty.registryMsP50,
      registryMsP50Loaded: loaded.registryMsP50,
      scrapeLoadedVsEmpty: ratio,
      registryLoadedVsEmpty: registryRatio,
      slowestCollectors: slowest,
      registryMsP50LoadedWithoutProcessMetrics: ownOnly,
    };
  } finally {
    await Promise.all(links.map((l) => l.close()));
    await app.close();
    await center.close();
    await storage.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function run(args: string[], report: (line: string) => void): Promise<Record<string, unknown>> {
  const terminals = arg(args, 'terminals', 1000);
  const scrapes = arg(args, 'scrapes', 200);
  return { suite: 'metrics', ...(await metricsScrapeBench(terminals, scrapes, report)) };
}
