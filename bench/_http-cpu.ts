/**
 * `npx tsx bench/_http-cpu.ts [N]`: main-thread CPU per request (µs) of the
 * bare fastify route, the shared surface, `/v1/merchant` and the read route
 * `GET /v1/settlements?limit=10`, by fastify.inject (no sockets: the route's
 * own cost, hooks, validation, serialisation). A development aid for
 * bench/http.ts's read-vs-bare figure; process.cpuUsage is less sensitive to
 * the machine's load than throughput.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fastify, { type FastifyInstance } from 'fastify';
import { emoneyMigrations } from '../center/emoney/schema.js';
import { startHttpServer } from '../center/http/app.js';
import { startMerchantApi } from '../center/merchant-api/server.js';
import { openStorage } from '../center/storage/open.js';
import { systemClock } from '../core/clock.js';
import { silentLogger } from '../core/log.js';
import { systemRandom } from '../core/random.js';
import { seedBatches } from './http.js';

export async function cpuPerRequestUs(app: FastifyInstance, url: string, headers: Record<string, string>, n: number): Promise<number> {
  for (let i = 0; i < Math.min(2000, n); i++) await app.inject({ url, headers });
  const best: number[] = [];
  for (let round = 0; round < 3; round++) {
    const c0 = process.cpuUsage();
    for (let i = 0; i < n; i++) {
      const r = await app.inject({ url, headers });
      if (r.statusCode !== 200) throw new Error(`${url}: ${r.statusCode} ${r.body}`);
    }
    const c = process.cpuUsage(c0);
    best.push((c.user + c.system) / n);
  }
  return Math.round(Math.min(...best));
}

async function main(): Promise<void> {
  const n = Number(process.argv[2] ?? 20000);
  const dir = mkdtempSync(join(tmpdir(), 'tessera-bench-httpcpu-'));
  const storage = await openStorage({ engine: 'sqlite', path: join(dir, 'center.db') });
  try {
    await storage.migrate(emoneyMigrations);
    await seedBatches(storage, 'SHOP-BENCH');
    const api = await startMerchantApi({ storage, host: '127.0.0.1', port: 0, rateLimit: { max: 1_000_000_000, windowMs: 1_000 }, addressRateLimit: false, clock: systemClock, random: systemRandom, log: silentLogger });
    const bare = fastify({ logger: false });
    bare.get('/bare', async () => ({ ok: true, items: [] }));
    await bare.ready();
    const surface = await startHttpServer({ title: 'bench', host: '127.0.0.1', port: 0, rateLimit: false, contributors: [(app) => void app.get('/bare', { config: { public: true } }, async () => ({ ok: true, items: [] }))] });
    await api.merchants.add('bench-shop', 'SHOP-BENCH');
    const { key } = await api.merchants.addKey('bench-shop');
    const auth = { authorization: `Bearer ${key}` };
    const out = {
      bareUs: await cpuPerRequestUs(bare, '/bare', {}, n),
      surfaceUs: await cpuPerRequestUs(surface.app, '/bare', {}, n),
      merchantUs: await cpuPerRequestUs(api.app, '/v1/merchant', auth, n),
      readUs: await cpuPerRequestUs(api.app, '/v1/settlements?limit=10', auth, n),
    };
    console.log(JSON.stringify(out));
    await surface.close();
    await api.close();
  } finally {
    await storage.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
