/**
 * Databases an operator can get wrong (real SQLite files, real processes):
 * a database the center user cannot write is refused at start and makes
 * /health fail; a damaged file fails `tessera audit`; every database and
 * journal is created 0600 whatever the umask. The read-only cases run the
 * child as `nobody` (root writes any file whatever its mode).
 */
import { spawn } from 'node:child_process';
import { chmodSync, chownSync, copyFileSync, mkdirSync, mkdtempSync, openSync, closeSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCenterConfig } from '../../center/server/config.js';
import { startCenter } from '../../center/server/start-center.js';
import { CENTER_MODULES } from '../../center/modules.js';
import { Journal } from '../../terminal/journal/journal.js';
import { keyDir } from '../center/server/support.js';
import { runCli } from '../../sim/world/cli-process.js';
import { nodeCommand } from '../../sim/world/node-command.js';

/** A loaded machine can take many seconds to start a tsx process: a generous bound. */
const cli = (args: string[], env: Record<string, string> = {}) => runCli(args, env, 60_000);

const NOBODY = 65_534;
const keys = keyDir();
const work = mkdtempSync(join(tmpdir(), 'tessera-db-safety-'));
/** A center database with every migration of a center with an admin API applied (made in beforeAll). */
const template = join(work, 'template.db');

beforeAll(async () => {
  const center = await startCenter(parseCenterConfig({ listen: { port: 0 }, db: template, admin: { port: 0 }, terminalKeys: { masterKeyFile: keys.masterKeyFile } }, CENTER_MODULES), CENTER_MODULES);
  await center.close();
});
afterAll(() => {
  keys.remove();
  rmSync(work, { recursive: true, force: true });
});

/** Runs `node <script> <args>` (script: a .ts file, compiled, see sim/world/node-command.ts) as nobody; resolves with the first stdout line, or the exit when there is none. */
function asNobody(script: string, args: string[]): { first: Promise<{ line?: string; code?: number | null; output: string }>; kill: () => void } {
  const { command, args: argv } = nodeCommand(script, args);
  const child = spawn(command, argv, { cwd: process.cwd(), uid: NOBODY, gid: NOBODY, env: { ...process.env, TESSERA_LOG_LEVEL: 'silent', HOME: '/tmp' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const first = new Promise<{ line?: string; code?: number | null; output: string }>((resolve) => {
    createInterface({ input: child.stdout }).once('line', (line) => resolve({ line, output }));
    child.once('close', (code) => resolve({ code, output }));
  });
  return { first, kill: () => child.kill('SIGKILL') };
}

/** A directory nobody may write, holding a copy of the template database that nobody may only read. */
function readOnlyDatabase(name: string): string {
  const dir = join(work, name);
  mkdirSync(dir);
  chownSync(dir, NOBODY, NOBODY); // the -wal/-shm files could be made: only the database file is read-only
  chmodSync(work, 0o755);
  const db = join(dir, 'center.db');
  copyFileSync(template, db);
  chmodSync(db, 0o644);
  return db;
}

describe('a database this process cannot write', { timeout: 120_000 }, () => {
  it('is refused at center start with STORE_READ_ONLY and the path (it used to start and answer every write 500)', async () => {
    const db = readOnlyDatabase('center-ro');
    const master = join(work, 'center-ro', 'master.key');
    copyFileSync(keys.masterKeyFile, master);
    chownSync(master, NOBODY, NOBODY);
    const config = join(work, 'center-ro', 'center.json');
    writeFileSync(config, JSON.stringify({ listen: { port: 0 }, db, admin: { port: 0 }, terminalKeys: { masterKeyFile: master } }));
    chmodSync(config, 0o644);
    const p = asNobody('cli/tessera.ts', ['center', '--config', config]);
    const r = await p.first;
    p.kill();
    expect(r.line).toBeUndefined();
    expect(r.code).toBe(1);
    expect(r.output).toContain('tessera: STORE_READ_ONLY: ');
    expect(r.output).toContain(`path: ${db}`);
  });

  it('makes /health answer 503 STORE_READ_ONLY instead of ok', async () => {
    const db = readOnlyDatabase('health-ro');
    const p = asNobody('test/center/admin/read-only-health-child.ts', [db]);
    const r = await p.first;
    try {
      expect(r.line, r.output).toBeDefined();
      const { listening } = JSON.parse(r.line!) as { listening: number };
      const res = await fetch(`http://127.0.0.1:${listening}/health`);
      expect(res.status).toBe(503);
      expect(await res.json()).toMatchObject({ error: { code: 'STORE_READ_ONLY' } });
    } finally {
      p.kill();
    }
  });
});

describe('tessera audit on a damaged database', { timeout: 120_000 }, () => {
  it('fails with STORE_CORRUPT from PRAGMA quick_check (it used to print OK and exit 0)', async () => {
    const db = join(work, 'damaged.db');
    copyFileSync(template, db);
    const raw = new Database(db);
    const pageSize = Number(raw.pragma('page_size', { simple: true }));
    const { rootpage } = raw.prepare("SELECT rootpage FROM sqlite_master WHERE name = 'ledger_transfers_by_debit'").get() as { rootpage: number };
    raw.close();
    // An index page nobody reads during the audit: only an integrity check notices.
    const fd = openSync(db, 'r+');
    writeSync(fd, Buffer.alloc(pageSize, 0xa5), 0, pageSize, (rootpage - 1) * pageSize);
    closeSync(fd);
    const r = await cli(['audit', '--db', db]);
    expect(r.code).toBe(1);
    expect(r.output).toContain('tessera: STORE_CORRUPT: ');
    expect(r.output).toContain(`path: ${db}`);
    expect(r.output).not.toContain('ledger audit: OK');
  });
});

describe('databases and journals are created 0600 whatever the umask', () => {
  it('center database, terminal journal and their -wal/-shm files', async () => {
    const old = process.umask(0o022);
    try {
      const db = join(work, 'fresh-center.db');
      const center = await startCenter(parseCenterConfig({ listen: { port: 0 }, db, terminalKeys: { masterKeyFile: keys.masterKeyFile } }, CENTER_MODULES), CENTER_MODULES);
      const journalPath = join(work, 'fresh.journal');
      const journal = Journal.open(journalPath);
      try {
        for (const f of [db, `${db}-wal`, `${db}-shm`, journalPath, `${journalPath}-wal`, `${journalPath}-shm`]) {
          expect({ f, mode: (statSync(f).mode & 0o777).toString(8) }).toEqual({ f, mode: '600' });
        }
      } finally {
        journal.close();
        await center.close();
      }
    } finally {
      process.umask(old);
    }
  });
});
