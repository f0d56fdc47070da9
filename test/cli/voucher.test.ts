/**
 * `tessera voucher issue | batches | block` as real CLI processes on a real
 * SQLite center database and the PIN key file of a center config: a batch of
 * fixed cards and one of variable-load cards, listed; a range blocked (on
 * the validity lists too); coded refusals for a bad batch and a config
 * without a voucher section; no PIN in the output.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStorage } from '../../center/storage/open.js';
import { runCli } from '../../sim/world/cli-process.js';

const work = mkdtempSync(join(tmpdir(), 'tessera-voucher-'));
const db = join(work, 'center.db');
const master = join(work, 'master.key');
const pinKey = join(work, 'voucher-pin.key');
writeFileSync(master, Buffer.alloc(32, 1), { mode: 0o600 });
writeFileSync(pinKey, Buffer.alloc(32, 2).toString('hex'), { mode: 0o600 });
const base = { listen: { host: '127.0.0.1', port: 0 }, db, terminalKeys: { masterKeyFile: master } };
const config = join(work, 'center.json');
writeFileSync(config, JSON.stringify({ ...base, voucher: { pinKeyFile: pinKey, hqs: [{ hqId: 'HQ-1', commissionBp: 250 }] } }));
const bare = join(work, 'bare.json');
writeFileSync(bare, JSON.stringify(base));
const cli = (args: string[], cfg = config) => runCli(['voucher', ...args, '--config', cfg], {}, 60_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('tessera voucher', { timeout: 180_000 }, () => {
  it('issues batches, lists them, blocks a range; refuses a bad batch and a config without a voucher section with codes', async () => {
    const fixed = await cli(['issue', '--hq', 'HQ-1', '--denomination', '1000', '--count', '500', '--json']);
    expect(fixed.code).toBe(0);
    const b = (fixed.lines[0] as { batch: { batchId: string; count: number; firstSerial: string; lastSerial: string; denomination: number } }).batch;
    expect(b).toMatchObject({ count: 500, denomination: 1000 });
    const variable = await cli(['issue', '--hq', 'HQ-1', '--max-load', '10000', '--count', '3']);
    expect(variable.code).toBe(0);
    expect(variable.output).toMatch(/issued vb_[0-9a-f]+ {2}HQ-1 {2}3 cards of up to 10000 JPY/);
    const list = await cli(['batches', '--json']);
    expect((list.lines[0] as { batches: unknown[] }).batches).toHaveLength(2);
    const block = await cli(['block', '--hq', 'HQ-1', '--from', b.firstSerial, '--to', b.firstSerial, '--reason', 'stolen at the warehouse', '--json']);
    expect(block.lines[0]).toEqual({ blocked: 1, refused: 0 });
    const storage = await openStorage(db);
    try {
      expect(await storage.read((q) => q.get('SELECT status, kind FROM media WHERE id = ?', [b.firstSerial]))).toEqual({ status: 'stolen', kind: 'voucher' });
      expect(await storage.read((q) => q.get("SELECT COUNT(*) AS n FROM voucher_cards WHERE state = 'issued' AND pin_sealed IS NOT NULL"))).toMatchObject({ n: 502 });
    } finally {
      await storage.close();
    }
    const bad = await cli(['issue', '--hq', 'HQ-1', '--denomination', '700', '--count', '1']);
    expect(bad.code).toBe(1);
    expect(bad.output).toContain('VOUCHER_INVALID_INPUT');
    const none = await cli(['batches'], bare);
    expect(none.code).toBe(2);
    expect(none.output).toContain('CLI_BAD_ARGUMENT');
    expect(none.output).not.toMatch(/\n\s+at /); // no stack trace
  });
});
