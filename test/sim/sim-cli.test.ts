/** `tessera sim serve` as a developer starts it, and `tessera sim <command>` as the client. */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendControlCommand } from '../../sim/control/control-client.js';
import { tesseraCommand } from '../../sim/world/node-command.js';

const run = promisify(execFile);
/** Runs `tessera <args>` to its end (compiled, see sim/world/node-command.ts). */
const tessera = (...args: string[]) => {
  const { command, args: argv } = tesseraCommand(args);
  return run(command, argv);
};

describe('tessera sim (CLI)', () => {
  let dir: string;
  let serve: ChildProcess;
  let ready: Record<string, unknown>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tessera-sim-cli-'));
    const start = tesseraCommand(['sim', '--state-dir', dir, 'serve', '--vpcd-devices', '1']);
    serve = spawn(start.command, start.args, { stdio: ['ignore', 'pipe', 'inherit'] });
    ready = await new Promise<Record<string, unknown>>((resolve, reject) => {
      createInterface({ input: serve.stdout! }).once('line', (line) => resolve(JSON.parse(line) as Record<string, unknown>));
      serve.once('exit', (code) => reject(new Error(`sim serve exited ${code}`)));
    });
  });
  afterAll(async () => {
    if (serve && serve.exitCode === null) {
      const exited = new Promise((resolve) => serve.once('exit', resolve));
      serve.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints where the simulated hardware is', () => {
    expect(ready).toMatchObject({ ready: true, control: join(dir, 'sim.sock'), issuerKeyFile: join(dir, 'issuer.key') });
    expect(ready['readers']).toHaveLength(2);
    expect(String(ready['pcscSocket'])).toMatch(/pcscd\.comm$/);
  });

  it('issues and inserts a card through the client subcommands', async () => {
    const cli = async (...args: string[]) => JSON.parse((await tessera('sim', '--state-dir', dir, ...args)).stdout.trim()) as Record<string, unknown>;
    expect(await cli('issue', '00000000000000a1', '--pin', '1111', '--balance', '700')).toMatchObject({ ok: true, result: { balanceMinor: 700 } });
    expect(await cli('insert', '00000000000000a1', '1')).toMatchObject({ ok: true, result: { inserted: '00000000000000a1' } });
    const status = await sendControlCommand(join(dir, 'sim.sock'), { cmd: 'status' });
    expect(status).toMatchObject({ ok: true, result: { readers: [{ cardId: null }, { cardId: '00000000000000a1' }] } });
    // A refused command exits 1 and still prints the coded reply.
    await expect(cli('remove', '0')).rejects.toMatchObject({ code: 1, stdout: expect.stringContaining('"code":"SIM_SLOT_EMPTY"') });
  });

  it('issues and inserts a bank cash card (--cash-card); missing account options are SIM_BAD_COMMAND', async () => {
    const cli = async (...args: string[]) => JSON.parse((await tessera('sim', '--state-dir', dir, ...args)).stdout.trim()) as Record<string, unknown>;
    expect(await cli('issue', '00000000000000c1', '--cash-card', '--bank', '0001', '--branch', '001', '--account', '1234567')).toMatchObject({
      ok: true,
      result: { application: 'cash', bankCode: '0001', branchCode: '001', accountNumber: '1234567' },
    });
    expect(await cli('insert', '00000000000000c1', '0')).toMatchObject({ ok: true, result: { inserted: '00000000000000c1' } });
    await expect(tessera('sim', '--state-dir', dir, 'issue', '00000000000000c2', '--cash-card', '--bank', '0001')).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining('SIM_BAD_COMMAND'),
    });
  });

  it('stops on `tessera sim stop`', async () => {
    const exited = new Promise<number | null>((resolve) => serve.once('exit', resolve));
    await tessera('sim', '--state-dir', dir, 'stop');
    expect(await exited).toBe(0);
  });
});
