/**
 * `tessera webshop` as the operator runs it: a world-readable API key file
 * is refused before anything starts (code, path, remedy, no key shown);
 * `orders` lists the journal; a step on an unknown order is a coded refusal.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../sim/world/cli-process.js';

const dir = mkdtempSync(join(tmpdir(), 'tessera-webshop-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const KEY = 'mk_live_not_a_real_key_0123456789';

function config(name: string, keyMode: number): string {
  writeFileSync(join(dir, `${name}.key`), `${KEY}\n`, { mode: keyMode });
  writeFileSync(join(dir, 'admin.pw'), 'pw\n', { mode: 0o600 });
  const path = join(dir, `${name}.json`);
  writeFileSync(path, JSON.stringify({ db: `${name}.db`, listen: { port: 0 }, merchantApi: { url: 'http://127.0.0.1:9', apiKeyFile: `${name}.key` }, adminPasswordFile: 'admin.pw' }));
  return path;
}

describe('tessera webshop (CLI)', () => {
  it('refuses a key file others can read, lists an empty journal, refuses a step on an unknown order', { timeout: 90_000 }, async () => {
    const [open, ok] = [config('open', 0o644), config('ok', 0o600)];
    const [served, orders, capture] = await Promise.all([
      runCli(['webshop', 'serve', '--config', open], {}, 60_000),
      runCli(['webshop', 'orders', '--config', ok, '--json'], {}, 60_000),
      runCli(['webshop', 'capture', 'WS-NOPE', '--config', ok], {}, 60_000),
    ]);
    expect(served.code).toBe(1);
    expect(served.output).toContain('WEBSHOP_SECRET_FILE');
    expect(served.output).toContain(join(dir, 'open.key'));
    expect(served.output).toContain('what to do:');
    expect(served.output).not.toContain(KEY);
    expect(served.output).not.toMatch(/\n\s+at /); // no stack trace

    expect(orders.code, orders.output).toBe(0);
    expect(orders.lines[0]).toEqual({ orders: [] });

    expect(capture.code).toBe(1);
    expect(capture.output).toContain('WEBSHOP_ORDER_UNKNOWN');
    expect(capture.output).toContain('WS-NOPE');
  });
});
