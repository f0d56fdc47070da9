import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { errorCode } from '../../../core/errors.js';
import { provisionTerminalKey } from '../../../center/server/provision-key.js';
import { deriveTerminalKey } from '../../../center/server/terminal-keys.js';
import { readTerminalKey } from '../../../terminal/config/key-file.js';
import { tesseraCommand } from '../../../sim/world/node-command.js';

const dir = mkdtempSync(join(tmpdir(), 'tessera-keys-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const master = Buffer.alloc(32, 0x2a);
const masterFile = join(dir, 'master.key');
writeFileSync(masterFile, master.toString('hex'), { mode: 0o600 });

async function codeOf(p: Promise<unknown>): Promise<string | undefined> {
  return p.then(() => undefined, (e: unknown) => errorCode(e));
}

describe('provisionTerminalKey / tessera keys terminal', () => {
  it('writes the key the center derives, mode 0600, that the agent accepts', async () => {
    const out = join(dir, 'kiosk.key');
    await provisionTerminalKey({ masterKeyFile: masterFile, keyRef: 'k-KIOSK-1', outFile: out });
    expect(statSync(out).mode & 0o777).toBe(0o600);
    expect(readTerminalKey(out).equals(deriveTerminalKey(master, 'k-KIOSK-1'))).toBe(true);
  });

  it('keeps an existing file unless forced; refuses a bad master key file and a bad keyRef with codes', async () => {
    const out = join(dir, 'shop.key');
    await provisionTerminalKey({ masterKeyFile: masterFile, keyRef: 'k-A', outFile: out });
    expect(await codeOf(provisionTerminalKey({ masterKeyFile: masterFile, keyRef: 'k-B', outFile: out }))).toBe('CENTER_KEY_OUT_EXISTS');
    expect(readTerminalKey(out).equals(deriveTerminalKey(master, 'k-A'))).toBe(true);
    await provisionTerminalKey({ masterKeyFile: masterFile, keyRef: 'k-B', outFile: out, force: true });
    expect(readTerminalKey(out).equals(deriveTerminalKey(master, 'k-B'))).toBe(true);
    const badMaster = join(dir, 'bad.key');
    writeFileSync(badMaster, 'not hex', { mode: 0o600 });
    expect(await codeOf(provisionTerminalKey({ masterKeyFile: badMaster, keyRef: 'k-C', outFile: join(dir, 'c.key') }))).toBe('CENTER_KEY_FILE');
    expect(await codeOf(provisionTerminalKey({ masterKeyFile: masterFile, keyRef: 'has space', outFile: join(dir, 'd.key') }))).toBe('CENTER_CONFIG_INVALID');
  });

  it('the CLI prints where it wrote, never the key; a second run exits 1 with its code', () => {
    const out = join(dir, 'cli.key');
    const cli = tesseraCommand(['keys', 'terminal', '--master', masterFile, '--key-ref', 'k-CLI', '--out', out]);
    const run = () => spawnSync(cli.command, cli.args, { encoding: 'utf8' });
    const first = run();
    expect(first.status).toBe(0);
    expect(JSON.parse(first.stdout)).toEqual({ written: out });
    const key = deriveTerminalKey(master, 'k-CLI').toString('hex');
    expect(first.stdout + first.stderr).not.toContain(key);
    expect(first.stdout + first.stderr).not.toContain(master.toString('hex'));
    const second = run();
    expect(second.status).toBe(1);
    expect(second.stderr).toContain('CENTER_KEY_OUT_EXISTS');
  });
});
