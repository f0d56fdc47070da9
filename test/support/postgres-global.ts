/**
 * vitest globalSetup: a real PostgreSQL 15 server for the storage and ledger
 * suites. initdb into a temp dir, pg_ctl start on a private port (loopback)
 * and a private unix-socket dir, trust auth, torn down after the run. As root
 * the server runs as the `postgres` user (postgres refuses root).
 *
 * Tests read the admin URL with `inject('pgUrl')` (see test/support/postgres.ts,
 * which gives each file its own database). TESSERA_PG_URL points the suites at
 * an existing server instead. If the binaries are missing, pgUrl is '' and the
 * PostgreSQL suites fail with a message naming `npm run sysdeps`.
 */
import { execFileSync, spawn } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { freePort } from './free-port.js';

declare module 'vitest' {
  export interface ProvidedContext {
    pgUrl: string;
  }
}

const PG_BIN = process.env['TESSERA_PG_BIN'] ?? '/usr/lib/postgresql/15/bin';

function postgresUid(): { uid: number; gid: number } {
  const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
  return { uid, gid };
}

/** The command line of a PostgreSQL binary, run as `postgres` when we are root. */
function pgCommand(bin: string, args: string[]): [string, string[]] {
  const exe = join(PG_BIN, bin);
  return process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', exe, ...args]] : [exe, args];
}

function pgRun(bin: string, args: string[]): void {
  const [cmd, argv] = pgCommand(bin, args);
  execFileSync(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
}

const shellQuote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * A detached watchdog that stops the server and removes its directory if
 * this vitest process dies without running teardown (killed by a timeout,
 * SIGKILL): a test run never leaves a PostgreSQL server behind.
 */
function startWatchdog(data: string, dir: string): number | undefined {
  const [cmd, argv] = pgCommand('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
  const stop = [cmd, ...argv].map(shellQuote).join(' ');
  const script = `while kill -0 ${process.pid} 2>/dev/null; do sleep 1; done; ${stop} >/dev/null 2>&1; rm -rf ${shellQuote(dir)}`;
  const child = spawn('sh', ['-c', script], { detached: true, stdio: 'ignore' });
  child.unref();
  return child.pid;
}

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  const external = process.env['TESSERA_PG_URL'];
  if (external) {
    project.provide('pgUrl', external);
    return undefined;
  }
  if (!existsSync(join(PG_BIN, 'initdb'))) {
    project.provide('pgUrl', '');
    return undefined;
  }
  const dir = mkdtempSync(join(tmpdir(), 'tessera-pg-'));
  const data = join(dir, 'data');
  const sock = join(dir, 'sock');
  mkdirSync(sock);
  if (process.getuid?.() === 0) {
    const { uid, gid } = postgresUid();
    chownSync(dir, uid, gid);
    chownSync(sock, uid, gid);
  }
  const port = await freePort();
  // -N: no fsync during initdb; the test server also runs with fsync off (tests check logic, not disks).
  pgRun('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-locale', '-E', 'UTF8', '-N']);
  const opts = [
    `-p ${port}`,
    `-k ${sock}`,
    '-c listen_addresses=127.0.0.1',
    '-c fsync=off',
    '-c full_page_writes=off',
    '-c max_connections=200',
  ].join(' ');
  pgRun('pg_ctl', ['-D', data, '-l', join(dir, 'server.log'), '-w', '-t', '60', '-o', opts, 'start']);
  const watchdog = startWatchdog(data, dir);
  project.provide('pgUrl', `postgres://postgres@127.0.0.1:${port}/postgres`);
  return async () => {
    if (watchdog !== undefined) {
      try {
        process.kill(watchdog);
      } catch {
        // already gone
      }
    }
    try {
      pgRun('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}
