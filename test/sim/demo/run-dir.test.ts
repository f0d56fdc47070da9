import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../../core/clock.js';
import { DEMO_LIMITS } from '../../../sim/demo/limits.js';
import { cleanStaleRuns, createRunDir, helpersOf } from '../../../sim/demo/run-dir.js';

let root: string;
const children: ChildProcess[] = [];

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'tessera-demo-runs-'));
});
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  rmSync(root, { recursive: true, force: true });
});

/** A pid that surely is not running: a child that already exited. */
async function deadPid(): Promise<number> {
  const c = spawn('true');
  await new Promise((resolve) => c.once('exit', resolve));
  return c.pid!;
}

function fakeRun(id: string, pid: number): string {
  const path = join(root, id);
  mkdirSync(join(path, 'sim'), { recursive: true });
  writeFileSync(join(path, 'demo.pid'), `${pid}\n`);
  writeFileSync(join(path, 'sim', 'pcscd.log'), '');
  return path;
}

/** A long-running process naming a file in the run directory, as pcscd (--config) and socat (link=) do. */
function helper(runPath: string): ChildProcess {
  const c = spawn('tail', ['-f', join(runPath, 'sim', 'pcscd.log')], { stdio: 'ignore' });
  children.push(c);
  return c;
}

const exited = (c: ChildProcess): Promise<unknown> => (c.exitCode !== null || c.signalCode !== null ? Promise.resolve() : new Promise((r) => c.once('exit', r)));

describe('demo run directories', () => {
  it('gives every run its own directory, even two runs of one process in the same second', () => {
    const a = createRunDir(root, Date.UTC(2026, 0, 2, 3, 4, 5));
    const b = createRunDir(root, Date.UTC(2026, 0, 2, 3, 4, 5));
    expect(a.id).toBe(`20260102-030405-${process.pid}`);
    expect(b.path).not.toBe(a.path);
    expect(existsSync(join(a.path, 'demo.pid'))).toBe(true);
  });

  it("ends the helpers a dead run left behind, leaves a live run's alone, and keeps the newest runs", async () => {
    const dead = await deadPid();
    const stalePath = fakeRun('20200101-000000-1', dead);
    const staleHelper = helper(stalePath);
    const keeper = spawn('sleep', ['30'], { stdio: 'ignore' });
    children.push(keeper);
    const livePath = fakeRun('20200101-000001-2', keeper.pid!);
    const liveHelper = helper(livePath);
    for (let i = 0; i < 6; i++) fakeRun(`20190101-00000${i}-${10 + i}`, dead);
    await new Promise((r) => setTimeout(r, 100)); // the helpers exec'd
    expect(helpersOf(stalePath)).toEqual([staleHelper.pid]);

    const current = createRunDir(root, Date.now());
    const report = await cleanStaleRuns(root, current, systemClock);

    await exited(staleHelper);
    expect(staleHelper.signalCode).toBe('SIGTERM');
    expect(liveHelper.exitCode).toBeNull();
    expect(report).toEqual({ staleRuns: 7, processesEnded: 1, runsRemoved: 7 - (DEMO_LIMITS.runsKeptMax - 1) });
    const left = readdirSync(root).sort();
    expect(left).toContain(current.id);
    expect(left).toContain('20200101-000001-2');
    expect(left).toContain('20200101-000000-1'); // the newest dead runs are kept for inspection
    expect(left).not.toContain('20190101-000000-10');
  });
});
