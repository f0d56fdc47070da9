import { afterAll, describe, expect, it } from 'vitest';
import { ValidityRepository } from '../../../center/validity/repository.js';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { openStorage } from '../../../center/storage/open.js';
import { tesseraCommand } from '../../../sim/world/node-command.js';
import { keyDir, seedTerminals, TERMINAL, terminalLink } from './support.js';

const keys = keyDir();
afterAll(() => keys.remove());

function tessera(args: string[]) {
  const { command, args: argv } = tesseraCommand(args);
  return spawn(command, argv, {
    cwd: process.cwd(),
    env: { ...process.env, TESSERA_LOG_LEVEL: 'silent' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function exitOf(child: ReturnType<typeof tessera>): Promise<{ code: number | null; stderr: string }> {
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stderr })));
}

describe('tessera center', () => {
  it('serves terminals from a config file and stops cleanly on SIGTERM', async () => {
    const dbPath = join(keys.dir, 'center.db');
    const storage = await openStorage({ engine: 'sqlite', path: dbPath });
    await seedTerminals(storage);
    await (await ValidityRepository.open(storage)).addMedia([{ id: 'abcdef0123456789', expiresAtMs: Date.now() + 86_400_000 }]);
    await storage.close();
    const config = join(keys.dir, 'center.json');
    writeFileSync(config, JSON.stringify({ listen: { port: 0 }, db: dbPath, validity: { mode: 'cached-medium' }, terminalKeys: { masterKeyFile: keys.masterKeyFile } }));
    const child = tessera(['center', '--config', config]);
    const exited = exitOf(child);
    const line = await new Promise<string>((resolve) => createInterface({ input: child.stdout }).once('line', resolve));
    const ready = JSON.parse(line) as { listening: number; mode: string; engine: string };
    expect(ready).toMatchObject({ mode: 'cached-medium', engine: 'sqlite' });
    const link = terminalLink(keys.masterKey, TERMINAL, ready.listening);
    try {
      const res = await link.request({ type: 'validityRequest', terminalId: TERMINAL, mediumId: Buffer.from('abcdef0123456789', 'hex') });
      expect(res).toEqual({ type: 'validityEarlyAck', pending: 1 });
    } finally {
      await link.close();
    }
    child.kill('SIGTERM');
    expect((await exited).code).toBe(0);
  });

  it('exits 1 with the coded error on a bad config', async () => {
    const config = join(keys.dir, 'bad.json');
    writeFileSync(config, JSON.stringify({ validity: { mode: 'turbo' } }));
    const { code, stderr } = await exitOf(tessera(['center', '--config', config]));
    expect(code).toBe(1);
    expect(stderr).toContain('CENTER_CONFIG_INVALID');
    expect(stderr).toContain('validity.mode');
  });
});
