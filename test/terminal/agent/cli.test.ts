/** `tessera terminal` as a process: config check, coded errors, and a real card flow. */
import { spawn } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENT_LIMITS } from '../../../terminal/limits.js';
import { tesseraCommand } from '../../../sim/world/node-command.js';
import { openWorld, type World } from '../../../sim/world/world.js';

let world: World;
beforeAll(async () => {
  world = await openWorld({ hardware: { readerDevices: 1, namePrefix: 'Agent Reader' }, center: { validity: { mode: 'cached' } } });
  await world.card('c1000000000000c1');
});
afterAll(async () => void (await world?.close()));

function tessera(args: string[]) {
  const { command, args: argv } = tesseraCommand(args);
  return spawn(command, argv, {
    cwd: process.cwd(),
    env: { ...process.env, TESSERA_LOG_LEVEL: 'silent' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

function exitOf(child: ReturnType<typeof tessera>): Promise<{ code: number | null; stderr: string; stdout: string }> {
  let stderr = '';
  let stdout = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stderr, stdout })));
}

function nextJson(lines: Interface, pred: (o: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
  return new Promise((resolve) => {
    const on = (line: string): void => {
      const o = JSON.parse(line) as Record<string, unknown>;
      if (!pred(o)) return;
      lines.off('line', on);
      resolve(o);
    };
    lines.on('line', on);
  });
}

async function configFile(name: string, over: Record<string, unknown> = {}): Promise<string> {
  const keyFile = await world.registerTerminal(name);
  const file = join(world.dir, `${name}.json`);
  const slot = world.readerName(0);
  writeFileSync(
    file,
    JSON.stringify({
      terminalId: name,
      keyFile,
      centers: [{ host: '127.0.0.1', port: world.centerPort }],
      devices: { reader: { namePattern: `^${slot}$` } },
      journal: `${name}.db`,
      transaction: { amountMinor: 100 },
      ...over,
    }),
  );
  return file;
}

describe('tessera terminal', () => {
  it('--check validates config and key file; bad ones exit 1 with their code', async () => {
    const good = await configFile('CLI-CHECK');
    const ok = await exitOf(tessera(['terminal', '--config', good, '--check']));
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toEqual({ ok: true, terminalId: 'CLI-CHECK', role: 'validity-pos', roleAvailable: true });
    const bad = await configFile('CLI-BAD', { terminalId: 'lower case' });
    const r1 = await exitOf(tessera(['terminal', '--config', bad, '--check']));
    expect(r1.code).toBe(1);
    expect(r1.stderr).toContain('TERM_CONFIG_INVALID');
    const loose = await configFile('CLI-LOOSE');
    chmodSync(join(world.dir, 'CLI-LOOSE.key'), 0o644);
    const r2 = await exitOf(tessera(['terminal', '--config', loose, '--check']));
    expect(r2.code).toBe(1);
    expect(r2.stderr).toContain('TERM_KEY_FILE_PERMISSIONS');
  });

  it('runs a terminal: ready line, a card approved, control lines, clean stop on SIGTERM', async () => {
    const child = tessera(['terminal', '--config', await configFile('CLI-RUN')]);
    const exited = exitOf(child);
    const lines = createInterface({ input: child.stdout });
    expect(await nextJson(lines, (o) => 'ready' in o)).toMatchObject({ ready: true, terminalId: 'CLI-RUN', role: 'validity-pos', callbackPort: null });
    const outcome = nextJson(lines, (o) => 'outcome' in o);
    await world.slots.insert('c1000000000000c1', world.readerName(0));
    expect((await outcome)['outcome']).toMatchObject({ trigger: 'card', result: 'approved', mediumId: 'c1000000000000c1', card: 'returned' });
    await world.slots.remove(world.readerName(0));
    const answer = nextJson(lines, (o) => 'command' in o || 'error' in o);
    child.stdin.write('command settle\n');
    expect(await answer).toEqual({ command: 'settle', result: 'error', code: 'TERM_NOT_SUPPORTED' });
    child.kill('SIGTERM');
    expect((await exited).code).toBe(0);
  });

  it(`refuses keypad lines past ${AGENT_LIMITS.keypadQueueMax} unread with TERM_KEYPAD_FULL and keeps running (was: assertion, exit)`, async () => {
    const child = tessera(['terminal', '--config', await configFile('CLI-KEYS')]);
    const exited = exitOf(child);
    const lines = createInterface({ input: child.stdout });
    await nextJson(lines, (o) => 'ready' in o);
    const answers: Array<Record<string, unknown>> = [];
    const all = new Promise<void>((resolve) => {
      lines.on('line', (line) => {
        const o = JSON.parse(line) as Record<string, unknown>;
        if ('keypad' in o || 'error' in o) answers.push(o);
        if (answers.length === AGENT_LIMITS.keypadQueueMax + 2) resolve();
      });
    });
    child.stdin.write('keypad pin 4711\n'.repeat(AGENT_LIMITS.keypadQueueMax + 2));
    await all;
    expect(answers.slice(0, AGENT_LIMITS.keypadQueueMax)).toEqual(Array.from({ length: AGENT_LIMITS.keypadQueueMax }, () => ({ keypad: 'pin' })));
    expect(answers.slice(AGENT_LIMITS.keypadQueueMax)).toEqual([
      { error: 'TERM_KEYPAD_FULL', prompt: 'pin', line: expect.any(String) },
      { error: 'TERM_KEYPAD_FULL', prompt: 'pin', line: expect.any(String) },
    ]);
    const status = nextJson(lines, (o) => 'status' in o);
    child.stdin.write('status\n');
    expect(await status).toEqual({ status: { scanner: null } });
    child.kill('SIGTERM');
    const end = await exited;
    expect(end.code).toBe(0);
    expect(end.stdout.includes('4711')).toBe(false);
  });
});
