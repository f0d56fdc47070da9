/**
 * One state directory per demo run under `<root>/<run-id>`: nothing is
 * shared between runs (databases, card states, journals, keys, pcscd), so a
 * second run never sees the first one's money. A run records its pid in
 * `demo.pid`; a later run finds runs whose process is gone and ends the
 * helper processes they left behind (pcscd, socat: found by the run
 * directory in their command line), then keeps only the newest few.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Clock } from '../../core/clock.js';
import { DEMO_LIMITS } from './limits.js';

const PID_FILE = 'demo.pid';
/** pcscd/socat get this long after SIGTERM before SIGKILL. */
const STALE_TERM_WAIT_MS = 1_000;

export interface RunDir {
  readonly id: string;
  readonly path: string;
}

/** Creates a fresh run directory (absolute path) and records this process in it. */
export function createRunDir(root: string, nowMs: number): RunDir {
  const base = resolve(root);
  mkdirSync(base, { recursive: true });
  const stamp = new Date(nowMs).toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  // Two runs of one process within a second (tests) get a sequence number.
  for (let n = 1; ; n++) {
    const id = n === 1 ? `${stamp}-${process.pid}` : `${stamp}-${process.pid}-${n}`;
    const path = join(base, id);
    if (existsSync(path)) continue;
    mkdirSync(path);
    writeFileSync(join(path, PID_FILE), `${process.pid}\n`);
    return { id, path };
  }
}

export interface StaleReport {
  /** Earlier runs whose demo process is gone. */
  readonly staleRuns: number;
  /** Helper processes of those runs that were still running and were ended. */
  readonly processesEnded: number;
  readonly runsRemoved: number;
}

/** Ends leftovers of dead runs under root (never the current one) and prunes old run directories. */
export async function cleanStaleRuns(root: string, current: RunDir, clock: Clock): Promise<StaleReport> {
  const base = resolve(root);
  const runs = listRuns(base).filter((r) => r !== current.id);
  const dead = runs.filter((r) => !alive(readPid(join(base, r))));
  let ended = 0;
  for (const r of dead) ended += await endHelpers(join(base, r), clock);
  // Newest first (ids start with a UTC timestamp); keep runsKeptMax - 1 besides the current one.
  const removable = dead.sort().reverse().slice(Math.max(0, DEMO_LIMITS.runsKeptMax - 1));
  for (const r of removable) rmSync(join(base, r), { recursive: true, force: true });
  return { staleRuns: dead.length, processesEnded: ended, runsRemoved: removable.length };
}

function listRuns(base: string): string[] {
  try {
    return readdirSync(base, { withFileTypes: true }).filter((d) => d.isDirectory() && /^\d{8}-\d{6}-\d+(-\d+)?$/.test(d.name)).map((d) => d.name);
  } catch {
    return [];
  }
}

function readPid(runPath: string): number | null {
  try {
    const pid = Number(readFileSync(join(runPath, PID_FILE), 'utf8').trim());
    return Number.isSafeInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

function alive(pid: number | null): boolean {
  if (pid === null || pid === process.pid) return pid === process.pid;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists but is not ours; treat it as alive and leave it alone.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Processes whose command line names this run directory: only a dead run's own pcscd and socat match. */
export function helpersOf(runPath: string): number[] {
  const marker = `${runPath}/`;
  const pids: number[] = [];
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return pids;
  }
  for (const name of entries) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0').join(' ');
      if (cmdline.includes(marker)) pids.push(Number(name));
    } catch {
      // exited while we looked
    }
  }
  return pids;
}

async function endHelpers(runPath: string, clock: Clock): Promise<number> {
  const pids = helpersOf(runPath);
  for (const pid of pids) signal(pid, 'SIGTERM');
  if (pids.length > 0) await clock.sleep(STALE_TERM_WAIT_MS);
  for (const pid of helpersOf(runPath)) signal(pid, 'SIGKILL');
  return pids.length;
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}
