/**
 * A long-running command waits for its signal even when nothing else keeps
 * the event loop busy (a terminal whose stdin closed, center and reader gone):
 * no exit 13, and SIGTERM still ends it cleanly.
 */
import { spawn } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { scriptFile } from '../../sim/world/node-command.js';

/** cli/until-signal.ts, compiled when the test build exists (sim/world/node-command.ts). */
const MODULE = scriptFile('cli/until-signal.ts');
const SCRIPT = `const { untilSignal } = await import(${JSON.stringify(pathToFileURL(MODULE.file).href)}); const p = untilSignal(); process.stdout.write('waiting\\n'); const s = await p; process.stdout.write('got ' + s + '\\n');`;

describe('untilSignal', () => {
  it('holds an otherwise idle process open until SIGTERM, then resolves with the signal', async () => {
    const child = spawn(process.execPath, [...(MODULE.tsx ? ['--import', 'tsx'] : []), '--input-type=module', '-e', SCRIPT], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    // Waiting from the moment its handlers are in (a loaded machine can take seconds to start the process), then idle for a while.
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', () => out.startsWith('waiting\n') && resolve());
      child.once('exit', (code) => reject(new Error(`exited ${code} before waiting`)));
    });
    await new Promise((r) => setTimeout(r, 1_500));
    expect(child.exitCode).toBeNull();
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(out).toBe('waiting\ngot SIGTERM\n');
  });
});
