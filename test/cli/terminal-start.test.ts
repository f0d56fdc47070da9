/**
 * How `tessera terminal` starts, or says why it cannot (real processes: a
 * real pcscd from `tessera sim serve`, a real `tessera center`): no PC/SC
 * service and no matching reader end in a coded exit instead of a silent
 * exit 13 or a hang; a center that refuses the terminal is logged as
 * "not authorised" at error level on both sides; one agent per journal.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliProcess, runCli } from '../../sim/world/cli-process.js';
import { keyDir } from '../center/server/support.js';

const cli = (args: string[], env: Record<string, string> = {}) => runCli(args, env, 90_000);
const keys = keyDir();
const work = mkdtempSync(join(tmpdir(), 'tessera-terminal-start-'));
afterAll(() => {
  keys.remove();
  rmSync(work, { recursive: true, force: true });
});

/** pino's error level. */
const ERROR = 50;

function terminalConfig(name: string, o: { pattern: string; centerPort: number; openTimeoutMs?: number }): string {
  const keyFile = join(work, `${name}.key`);
  writeFileSync(keyFile, 'cd'.repeat(32), { mode: 0o600 }); // not the key the center derives for it
  const file = join(work, `${name}.json`);
  writeFileSync(
    file,
    JSON.stringify({
      terminalId: 'T-OPS-1',
      keyFile,
      centers: [{ host: '127.0.0.1', port: o.centerPort }],
      devices: { reader: { namePattern: o.pattern, openTimeoutMs: o.openTimeoutMs ?? 2_000 } },
      journal: join(work, `${name}.journal`),
    }),
  );
  return file;
}

function logLines(output: string): Array<Record<string, unknown>> {
  return output.split('\n').flatMap((l) => {
    try {
      const o = JSON.parse(l) as unknown;
      return o && typeof o === 'object' && 'msg' in o ? [o as Record<string, unknown>] : [];
    } catch {
      return [];
    }
  });
}

describe('tessera terminal without a PC/SC service', { timeout: 120_000 }, () => {
  it('logs that pcscd is not reachable and exits 1 with DEV_READER_NOT_FOUND (it used to exit 13 in silence)', async () => {
    const r = await cli(['terminal', '--config', terminalConfig('no-pcscd', { pattern: 'Anything', centerPort: 1 })], { PCSCLITE_CSOCK_NAME: join(work, 'no-pcscd.sock') });
    expect(r.code).toBe(1);
    expect(r.output).toContain('pc/sc service not reachable');
    expect(r.output).toContain('tessera: DEV_READER_NOT_FOUND: no PC/SC service reachable');
  });
});

describe('tessera terminal with a real pcscd and center', { timeout: 120_000 }, () => {
  let sim: CliProcess;
  let center: CliProcess;
  let pcscEnv: Record<string, string>;
  let centerPort: number;

  beforeAll(async () => {
    sim = new CliProcess('sim serve', ['sim', '--state-dir', join(work, 'sim'), 'serve', '--vpcd-devices', '1', '--scanners', '0']);
    const ready = await sim.ready(90_000);
    pcscEnv = { PCSCLITE_CSOCK_NAME: String(ready['pcscSocket']) };
    const config = join(work, 'center.json');
    writeFileSync(config, JSON.stringify({ listen: { port: 0 }, db: join(work, 'center.db'), terminalKeys: { masterKeyFile: keys.masterKeyFile } }));
    center = new CliProcess('center', ['center', '--config', config]);
    centerPort = Number((await center.ready(90_000))['listening']);
  }, 180_000);
  afterAll(async () => {
    await center?.stop();
    await sim?.stop();
  });

  it('exits 1 with DEV_READER_NOT_FOUND when no reader matches the pattern (it used to print it and hang)', async () => {
    const r = await cli(['terminal', '--config', terminalConfig('no-match', { pattern: '^No Such Reader$', centerPort })], pcscEnv);
    expect(r.code).toBe(1);
    expect(r.output).toContain('tessera: DEV_READER_NOT_FOUND: no reader matches the pattern');
    expect(r.output).toContain('pattern: ^No Such Reader$');
  });

  it('logs "not authorised" at error level on the terminal and on the center when the center refuses it; a second agent on the same journal is refused', async () => {
    const config = terminalConfig('refused', { pattern: 'Tessera Sim', centerPort, openTimeoutMs: 30_000 });
    const terminal = new CliProcess('terminal', ['terminal', '--config', config], pcscEnv);
    try {
      await terminal.ready(90_000);
      await expect.poll(() => logLines(terminal.output).find((l) => l['level'] === ERROR && String(l['msg']).startsWith('not authorised')), { timeout: 30_000 }).toMatchObject({ code: 'PROTO_AUTH_FAILED', terminalId: 'T-OPS-1' });
      await expect.poll(() => logLines(center.output).find((l) => l['level'] === ERROR && String(l['msg']).startsWith('terminal not authorised')), { timeout: 30_000 }).toMatchObject({ code: 'PROTO_AUTH_FAILED' });
      expect(terminal.output).not.toContain('cd'.repeat(32));

      const second = await cli(['terminal', '--config', config], pcscEnv);
      expect(second.code).toBe(1);
      expect(second.output).toContain('tessera: TERM_JOURNAL_IN_USE: ');
      expect(second.output).toContain(`path: ${join(work, 'refused.journal')}.lock`);
      expect(terminal.running).toBe(true);
    } finally {
      await terminal.stop();
    }
  });
});
