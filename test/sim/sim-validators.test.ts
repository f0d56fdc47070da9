/**
 * `tessera sim serve --validators 1`: a virtual ccTalk bill validator on a
 * socat pty whose path the ready line prints; the real ccTalk driver opens
 * it; `tessera sim validator …` inserts a note (escrow), jams the next one,
 * fills the cash box and pulls the cable.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BillValidator, Note, ValidatorFault } from '../../terminal/devices/bill-validator.js';
import { CcTalkBillValidator } from '../../terminal/devices/serial/cctalk-bill-validator.js';
import { tesseraCommand } from '../../sim/world/node-command.js';
import { eventually } from '../terminal/devices/wait.js';

const run = promisify(execFile);
/** Runs `tessera <args>` to its end (compiled, see sim/world/node-command.ts). */
const tessera = (...args: string[]) => {
  const { command, args: argv } = tesseraCommand(args);
  return run(command, argv);
};

// Each step is a CLI process (seconds to start on a loaded 2-core machine, more through tsx), so the cases get 90 s.
describe('tessera sim serve --validators', { timeout: 90_000 }, () => {
  let dir: string;
  let serve: ChildProcess;
  let ready: Record<string, unknown>;
  let driver: BillValidator;
  const escrow: Note[] = [];
  const faults: ValidatorFault[] = [];
  const cli = async (...args: string[]) => JSON.parse((await tessera('sim', '--state-dir', dir, ...args)).stdout.trim()) as Record<string, unknown>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tessera-sim-val-'));
    const start = tesseraCommand(['sim', '--state-dir', dir, 'serve', '--vpcd-devices', '1', '--scanners', '0', '--validators', '1']);
    serve = spawn(start.command, start.args, { stdio: ['ignore', 'pipe', 'inherit'] });
    ready = await new Promise<Record<string, unknown>>((resolve, reject) => {
      createInterface({ input: serve.stdout! }).once('line', (line) => resolve(JSON.parse(line) as Record<string, unknown>));
      serve.once('exit', (code) => reject(new Error(`sim serve exited ${code}`)));
    });
  });
  afterAll(async () => {
    await driver?.close();
    if (serve && serve.exitCode === null) {
      const exited = new Promise((resolve) => serve.once('exit', resolve));
      serve.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints each validator pty path; the ccTalk driver opens it and a note inserted by the CLI arrives in escrow', async () => {
    const validators = ready['validators'] as Array<{ name: string; path: string; plugged: boolean }>;
    expect(validators).toEqual([expect.objectContaining({ name: 'validator0', plugged: true, path: join(dir, 'pty', 'validator0.tty') })]);
    driver = new CcTalkBillValidator({ path: validators[0]!.path, baudRate: 9600, address: 40, country: 'JP', currency: 'JPY' });
    driver.on('escrow', (n) => escrow.push(n));
    driver.on('fault', (f) => faults.push(f));
    await driver.open();
    await driver.enable();
    expect(await cli('validator', 'insert', 'JP1000A')).toMatchObject({ ok: true, result: { result: 'escrow' } });
    await eventually(() => escrow.length === 1, 5_000, 'the note in escrow');
    expect(escrow[0]).toMatchObject({ noteId: 'JP1000A', valueMinor: 10_000, currency: 'JPY' });
    await driver.return();
  });

  it('jams the next note, fills the cash box, and answers an unknown validator with SIM_BAD_COMMAND', async () => {
    expect(await cli('validator', 'jam')).toMatchObject({ ok: true });
    expect(await cli('validator', 'insert', 'JP0100A')).toMatchObject({ ok: true, result: { result: 'jammed' } });
    await eventually(() => faults.some((f) => f.code === 'DEV_NOTE_JAMMED'), 5_000, 'the jam reported');
    expect(await cli('validator', 'clear-jam')).toMatchObject({ ok: true });
    expect(await cli('validator', 'fill-box', '--notes', '500')).toMatchObject({ ok: true, result: { cashBox: 500 } });
    await expect(cli('validator', 'status', '--validator', 'validator9')).rejects.toMatchObject({ code: 1, stdout: expect.stringContaining('SIM_BAD_COMMAND') });
  });

  it('pulls the cable and plugs it back', async () => {
    expect(await cli('validator', 'unplug')).toMatchObject({ ok: true, result: { unplugged: 'validator0' } });
    expect(await cli('status')).toMatchObject({ ok: true, result: { validators: [{ name: 'validator0', plugged: false }] } });
    expect(await cli('validator', 'plug')).toMatchObject({ ok: true, result: { plugged: 'validator0' } });
  });
});
