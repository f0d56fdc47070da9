/**
 * The merchant API's per-address limit (the shared surface's, beside the
 * per-key one): on by default; `addressRateLimit: false` takes it off (the
 * http bench sends everything from one address and would otherwise measure
 * 429 answers as throughput).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emoneyMigrations } from '../../../center/emoney/schema.js';
import { HTTP_LIMITS } from '../../../center/http/limits.js';
import { startMerchantApi } from '../../../center/merchant-api/server.js';
import { openStorage } from '../../../center/storage/open.js';
import type { Storage } from '../../../center/storage/types.js';
import { systemClock } from '../../../core/clock.js';
import { silentLogger } from '../../../core/log.js';
import { systemRandom } from '../../../core/random.js';

let dir: string;
let storage: Storage;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'merchant-address-limit-'));
  storage = await openStorage(join(dir, 'center.db'));
  await storage.migrate(emoneyMigrations);
});
afterAll(async () => {
  await storage?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function limitHeader(addressRateLimit: false | undefined): Promise<{ status: number; limit: string | null }> {
  const api = await startMerchantApi({ storage, host: '127.0.0.1', port: 0, addressRateLimit, clock: systemClock, random: systemRandom, log: silentLogger });
  try {
    const name = `shop-${addressRateLimit === false ? 'off' : 'on'}`;
    await api.merchants.add(name);
    const { key } = await api.merchants.addKey(name);
    const res = await fetch(`${api.url}/v1/merchant`, { headers: { authorization: `Bearer ${key}` } });
    await res.text();
    return { status: res.status, limit: res.headers.get('x-ratelimit-limit') };
  } finally {
    await api.close();
  }
}

describe('merchant API per-address rate limit', () => {
  it('is the shared surface\'s limit by default, and absent with addressRateLimit: false', async () => {
    expect(await limitHeader(undefined)).toEqual({ status: 200, limit: String(HTTP_LIMITS.rateRequestsMax) });
    expect(await limitHeader(false)).toEqual({ status: 200, limit: null });
  });
});
