/**
 * `tessera merchant …` as real CLI processes on a real SQLite center
 * database: a merchant with its first key (printed once or written 0600),
 * rotation with a second key, listing, revocation that the merchant API's
 * authentication honours at once, coded refusals, and no key in the database.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MerchantRegistry } from '../../center/merchant-api/merchants.js';
import { openStorage } from '../../center/storage/open.js';
import { systemClock } from '../../core/clock.js';
import { systemRandom } from '../../core/random.js';
import { runCli } from '../../sim/world/cli-process.js';

const work = mkdtempSync(join(tmpdir(), 'tessera-merchant-'));
const db = join(work, 'center.db');
const cli = (args: string[]) => runCli(['merchant', ...args, '--db', db], {}, 60_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function withRegistry<T>(fn: (reg: MerchantRegistry) => Promise<T>): Promise<T> {
  const storage = await openStorage(db);
  try {
    return await fn(await MerchantRegistry.open(storage, systemClock, systemRandom));
  } finally {
    await storage.close();
  }
}

describe('tessera merchant', { timeout: 180_000 }, () => {
  it('adds a merchant with its first key shown once, adds a second key for rotation, revokes the first: the API refuses it at once', async () => {
    const add = await cli(['add', 'shop-a', '--shop', 'SHOP-A', '--label', 'primary', '--json']);
    expect(add.code).toBe(0);
    const first = add.lines[0] as { keyId: string; key: string; merchant: { name: string; shopId: string } };
    expect(first.merchant).toMatchObject({ name: 'shop-a', shopId: 'SHOP-A' });
    expect(first.key).toMatch(/^tsk-[0-9a-f]{16}-[0-9a-f]{64}$/);
    const keyFile = join(work, 'second.key');
    const second = await cli(['key', 'add', 'shop-a', '--label', 'rotation', '--key-out', keyFile]);
    expect(second.code).toBe(0);
    expect(second.output).not.toMatch(/tsk-[0-9a-f]{16}-[0-9a-f]{64}/);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    const secondKey = readFileSync(keyFile, 'utf8').trim();
    const list = await cli(['key', 'list', 'shop-a', '--json']);
    const keys = (list.lines[0] as { keys: { keyId: string; label: string; revokedMs: number | null }[] }).keys;
    expect(keys.map((k) => [k.label, k.revokedMs])).toEqual([['primary', null], ['rotation', null]]);
    expect(list.output).not.toContain(first.key);

    const revoke = await cli(['key', 'revoke', first.keyId]);
    expect(revoke.code).toBe(0);
    expect(revoke.output).toContain(`revoked ${first.keyId}`);
    await withRegistry(async (reg) => {
      await expect(reg.authenticate(first.key)).rejects.toMatchObject({ code: 'MERCHANT_KEY_REVOKED' });
      expect((await reg.authenticate(secondKey))?.merchant.name).toBe('shop-a');
    });
    const files = [db, `${db}-wal`].filter(existsSync).map((f) => readFileSync(f));
    for (const bytes of files) {
      for (const k of [first.key, secondKey]) expect(bytes.includes(Buffer.from(k.slice(-64)))).toBe(false);
    }
  });

  it('refuses bad names, a second merchant for one shop, unknown merchants and keys with coded errors and the remedy, and writes nothing', async () => {
    const cases: [string[], string][] = [
      [['add', 'bad name'], 'MERCHANT_INVALID_INPUT'],
      [['add', 'shop-a2', '--shop', 'SHOP-A'], 'MERCHANT_DUPLICATE'],
      [['key', 'add', 'nobody'], 'MERCHANT_UNKNOWN'],
      [['key', 'revoke', 'ffffffffffffffff'], 'MERCHANT_UNKNOWN'],
    ];
    for (const [args, code] of cases) {
      const r = await cli(args);
      expect({ args, code: r.code, line: r.output.split('\n').find((l) => l.startsWith('tessera: ')) }).toEqual({ args, code: 1, line: expect.stringContaining(`tessera: ${code}: `) });
      expect(r.output).toContain('what to do: ');
      expect(r.output).not.toMatch(/^\s+at .+[:(]/m);
    }
    const merchants = await withRegistry((reg) => reg.list());
    expect(merchants.map((m) => m.name)).toEqual(['shop-a']);
  });
});
