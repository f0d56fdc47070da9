/**
 * The merchant API as a center module (center/merchant-api/module.ts): its
 * config section, what `--check` refuses before a start, and open/close of
 * its own listener on a center database without the e-money module (a
 * merchant then has no settlements, and nothing fails).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import '../../../center/http/errors.js';
import { merchantApiSectionSchema } from '../../../center/merchant-api/config-schema.js';
import { merchantApiModule } from '../../../center/merchant-api/module.js';
import '../../../center/server/errors.js';
import { openStorage } from '../../../center/storage/open.js';
import { systemClock } from '../../../core/clock.js';
import { silentLogger } from '../../../core/log.js';
import { systemRandom } from '../../../core/random.js';
import { count, raw } from './support.js';

const dir = mkdtempSync(join(tmpdir(), 'merchant-module-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('merchant API module', () => {
  it('has a strict config section with a per-key rate limit by default', () => {
    expect(merchantApiSectionSchema.parse({ port: 0 })).toEqual({ host: '127.0.0.1', port: 0, rateLimit: { max: 100, windowMs: 1_000 } });
    expect(merchantApiSectionSchema.safeParse({ port: 0, extra: true }).success).toBe(false);
    expect(merchantApiSectionSchema.safeParse({ port: 0, rateLimit: { max: 0, windowMs: 1_000 } }).success).toBe(false);
    expect(merchantApiModule().enabled(undefined)).toBe(false);
  });

  it('refuses, before a start, plain HTTP off loopback and TLS files it cannot read', () => {
    const m = merchantApiModule();
    expect(() => m.check(merchantApiSectionSchema.parse({ host: '0.0.0.0', port: 8443 }))).toThrow(expect.objectContaining({ code: 'HTTP_PLAIN_NOT_LOOPBACK' }));
    const tls = { certFile: join(dir, 'none.pem'), keyFile: join(dir, 'none.key') };
    expect(() => m.check(merchantApiSectionSchema.parse({ host: '0.0.0.0', port: 8443, tls }))).toThrow(expect.objectContaining({ code: 'CENTER_TLS_FILE' }));
    expect(() => m.check(merchantApiSectionSchema.parse({ port: 0 }))).not.toThrow();
  });

  it('opens its own listener on a center without e-money (no settlements, nothing fails) and closes it', async () => {
    const storage = await openStorage(join(dir, 'center.db'));
    const m = merchantApiModule();
    for (const mig of m.migrations) await storage.migrate(mig);
    const opened = await m.open({ section: merchantApiSectionSchema.parse({ port: 0 }), storage, clock: systemClock, random: systemRandom, log: silentLogger });
    await opened.start(); // the center calls it once every module opened (and added its routes)
    const url = opened.api.url;
    try {
      await opened.api.merchants.add('web-shop', 'SHOP-W');
      const { key } = await opened.api.merchants.addKey('web-shop');
      expect((await raw(opened.api.url, 'GET', '/v1/settlements', { key })).json).toEqual({ items: [], nextCursor: null, controlTotals: [] });
      const rec = await raw(opened.api.url, 'POST', '/v1/reconciliations', {
        key, body: JSON.stringify({ settlementIds: ['0'.repeat(32)], declared: { count: 1, totalMinor: 1, currency: 'JPY' } }), headers: { 'idempotency-key': 'm-1' },
      });
      expect(rec.json.error.code).toBe('MERCHANT_NOT_FOUND');
      expect(await count(storage, 'merchant_idempotency')).toBe(0);
    } finally {
      await opened.close();
    }
    await expect(fetch(`${url}/v1/merchant`)).rejects.toThrow();
    await storage.close();
  });
});
