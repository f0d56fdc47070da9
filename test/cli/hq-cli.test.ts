import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readHqKey } from '../../center/hq/module.js';
import { ed25519PublicKey } from '../../center/hq/signature.js';
import { runCli } from '../../sim/world/cli-process.js';

const dir = mkdtempSync(join(tmpdir(), 'tsr-hqcli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('tessera hq keygen', () => {
  it('writes the HQ signing key 0600 and its public key; never over an existing file', async () => {
    const r = await runCli(['hq', 'keygen', '--out', dir], {}, 45_000);
    expect(r.code).toBe(0);
    const key = join(dir, 'hq-signing.key');
    expect(statSync(key).mode & 0o777).toBe(0o600);
    expect(readHqKey(key).asymmetricKeyType).toBe('ed25519');
    expect(ed25519PublicKey(readFileSync(join(dir, 'hq-signing.pub')), 'pub').asymmetricKeyType).toBe('ed25519');
    const again = await runCli(['hq', 'keygen', '--out', dir], {}, 45_000);
    expect(again.code).toBe(1);
    expect(again.output).toContain('HQ_KEY_FILE');
    expect(again.output).not.toContain('PRIVATE KEY');
  }, 120_000);
});
