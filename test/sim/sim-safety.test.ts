/**
 * `tessera sim serve` owns its state directory (real processes, real pcscd):
 * a second one is refused instead of taking over the control socket and,
 * on its exit, deleting the first one's pcscd socket; `sim issue` does not
 * silently reset an existing card.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendControlCommand } from '../../sim/control/control-client.js';
import { CliProcess, runCli } from '../../sim/world/cli-process.js';

/** A loaded machine can take many seconds to start a tsx process: a generous bound. */
const cli = (args: string[], env: Record<string, string> = {}) => runCli(args, env, 60_000);

describe('tessera sim serve: one simulator per state directory', { timeout: 120_000 }, () => {
  let dir: string;
  let first: CliProcess;
  let ready: Record<string, unknown>;
  let dead: number;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tessera-sim-safety-'));
    // A lock left by a simulator that was killed (its pid is gone) does not block the next start.
    dead = spawnSync(process.execPath, ['-e', 'process.pid']).pid;
    writeFileSync(join(dir, 'sim.lock'), `${dead}\n`);
    first = new CliProcess('sim serve 1', ['sim', '--state-dir', dir, 'serve', '--vpcd-devices', '1', '--scanners', '0']);
    ready = await first.ready(60_000);
  }, 90_000);
  afterAll(async () => {
    await first?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('took over the stale lock: <state-dir>/sim.lock holds its own live pid', () => {
    const pid = Number(readFileSync(join(dir, 'sim.lock'), 'utf8').trim());
    expect(pid).not.toBe(dead);
    expect(() => process.kill(pid, 0)).not.toThrow();
  });

  it('refuses a second `sim serve` on the same directory (SIM_STATE_DIR_IN_USE); the first keeps its control socket and pcscd socket', async () => {
    const second = new CliProcess('sim serve 2', ['sim', '--state-dir', dir, 'serve', '--vpcd-devices', '1', '--scanners', '0']);
    second.endInput();
    const outcome = await Promise.race([second.exited.then((e) => ({ exited: e.code })), second.ready(60_000).then(() => ({ exited: 'ready' as const }))]);
    if (outcome.exited === 'ready') await second.stop();
    expect(outcome).toEqual({ exited: 1 });
    expect(second.output).toContain('SIM_STATE_DIR_IN_USE');
    expect(second.output).toContain(join(dir, 'sim.lock'));
    expect(existsSync(String(ready['pcscSocket']))).toBe(true);
    const status = await sendControlCommand(join(dir, 'sim.sock'), { cmd: 'status' });
    expect(status).toMatchObject({ ok: true, result: { pcscSocket: ready['pcscSocket'] } });
    expect(first.running).toBe(true);
  });

  it('refuses to re-issue an existing card unless --force (SIM_CARD_EXISTS); the balance stays', async () => {
    const card = '00000000000000e1';
    const stored = (): number => (JSON.parse(readFileSync(join(dir, 'cards', `${card}.json`), 'utf8')) as { balanceMinor: number }).balanceMinor;
    let r = await cli(['sim', '--state-dir', dir, 'issue', card, '--balance', '700']);
    expect(r.code).toBe(0);
    r = await cli(['sim', '--state-dir', dir, 'issue', card, '--balance', '0']);
    expect(r.code).toBe(1);
    expect(r.output).toContain('"code":"SIM_CARD_EXISTS"');
    expect(stored()).toBe(700);
    r = await cli(['sim', '--state-dir', dir, 'issue', card, '--balance', '5', '--force']);
    expect(r.code).toBe(0);
    expect(stored()).toBe(5);
  });

  it('names the reader option for what it does: --readers is refused with its new name', async () => {
    const r = await cli(['sim', '--state-dir', join(dir, 'other'), 'serve', '--readers', '1']);
    expect(r.code).toBe(2);
    expect(r.output).toContain('CLI_BAD_ARGUMENT');
    expect(r.output).toContain('--vpcd-devices');
    const help = await cli(['sim', 'serve', '--help']);
    expect(help.output).toMatch(/--vpcd-devices <n>\s+vpcd devices to start; each one gives TWO card readers/);
  });

  it('releases the lock when it stops', async () => {
    await first.stop();
    expect(existsSync(join(dir, 'sim.lock'))).toBe(false);
  });
});
