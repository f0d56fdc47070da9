/**
 * What an operator sees from `tessera` (real CLI processes): one coded line
 * with the message, where (path or field), the reason underneath (errno,
 * JSON position), the remedy from docs/ERRORS.md, and never a stack trace;
 * --check refusing what a start would refuse; keys written to regular files only.
 */
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../sim/world/cli-process.js';

/** A loaded machine can take many seconds to start a tsx process: a generous bound. */
const cli = (args: string[], env: Record<string, string> = {}) => runCli(args, env, 60_000);
import { keyDir } from '../center/server/support.js';

const keys = keyDir();
const work = mkdtempSync(join(tmpdir(), 'tessera-operator-'));
afterAll(() => {
  keys.remove();
  rmSync(work, { recursive: true, force: true });
});

/** Stack frames look like `    at fn (file:line:col)`. */
const STACK = /^\s+at .+[:(]/m;

function centerConfig(name: string, extra: Record<string, unknown> = {}): string {
  const file = join(work, `${name}.json`);
  writeFileSync(file, JSON.stringify({ listen: { port: 0 }, db: join(work, `${name}.db`), terminalKeys: { masterKeyFile: keys.masterKeyFile }, ...extra }));
  return file;
}

function terminalConfig(name: string, extra: Record<string, unknown> = {}): string {
  const keyFile = join(work, `${name}.key`);
  writeFileSync(keyFile, 'ab'.repeat(32), { mode: 0o600 });
  const file = join(work, `${name}.json`);
  const config = { terminalId: 'T-OPS-1', keyFile, centers: [{ host: '127.0.0.1', port: 1 }], devices: { reader: { namePattern: 'Nothing' } }, journal: join(work, `${name}.journal`) };
  writeFileSync(file, JSON.stringify({ ...config, ...extra }));
  return file;
}

describe('tessera: operator error output', { timeout: 120_000 }, () => {
  it('prints the code once, the path, the JSON parse position and the remedy for an unreadable config', async () => {
    const config = join(work, 'broken.json');
    writeFileSync(config, '{"listen": {"port": 0},}');
    const r = await cli(['center', '--config', config]);
    expect(r.code).toBe(1);
    expect(r.output).toContain('tessera: CENTER_CONFIG_UNREADABLE: ');
    expect(r.output).not.toContain('CENTER_CONFIG_UNREADABLE: CENTER_CONFIG_UNREADABLE');
    expect(r.output).toContain(`path: ${config}`);
    expect(r.output).toMatch(/reason: .*position \d+/);
    expect(r.output).toContain('what to do: Check the path given to --config');
  });

  it('names the config file and each bad field of an invalid config, once', async () => {
    const config = join(work, 'invalid.json');
    writeFileSync(config, JSON.stringify({ validity: { mode: 'turbo' }, terminalKeys: { masterKeyFile: keys.masterKeyFile } }));
    const r = await cli(['center', '--config', config]);
    expect(r.code).toBe(1);
    expect(r.output).toContain('tessera: CENTER_CONFIG_INVALID: validity.mode: ');
    expect(r.output).toContain(`path: ${config}`);
    expect(r.output.split('validity.mode').length).toBe(2);
    expect(r.output).toContain('what to do: Fix the named fields');
  });

  it('names the errno of a missing config file', async () => {
    const r = await cli(['center', '--config', join(work, 'absent.json')]);
    expect(r.code).toBe(1);
    expect(r.output).toMatch(/reason: ENOENT/);
  });

  it('gives an admin port in use its own code and no stack trace', async () => {
    const holder: Server = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const port = (holder.address() as { port: number }).port;
    try {
      const r = await cli(['center', '--config', centerConfig('admin-busy', { admin: { port } })], { TESSERA_LOG_LEVEL: 'silent' });
      expect(r.code).toBe(1);
      expect(r.output).toContain('tessera: CENTER_ADMIN_LISTEN_FAILED: ');
      expect(r.output).toContain(`port: ${port}`);
      expect(r.output).toContain('reason: EADDRINUSE');
      expect(r.output).not.toMatch(STACK);
    } finally {
      holder.close();
    }
  });

  it('gives a terminal port in use its code and no stack trace, at the default log level', async () => {
    const holder: Server = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const port = (holder.address() as { port: number }).port;
    try {
      const r = await cli(['center', '--config', centerConfig('listen-busy', { listen: { port } })]);
      expect(r.code).toBe(1);
      expect(r.output).toContain('tessera: CENTER_LISTEN_FAILED: ');
      expect(r.output).toContain(`port: ${port}`);
      expect(r.output).toContain('reason: EADDRINUSE');
      expect(r.output).not.toContain('listener error');
      expect(r.output).not.toMatch(STACK);
      expect(r.output).not.toContain('\\n    at ');
    } finally {
      holder.close();
    }
  });

  it('codes a database in a missing directory (STORE_CANNOT_OPEN) and a file that is not a database (STORE_CORRUPT), with the path', async () => {
    const missingDir = join(work, 'no-such-dir', 'center.db');
    let r = await cli(['center', '--config', centerConfig('missing-dir', { db: missingDir })], { TESSERA_LOG_LEVEL: 'silent' });
    expect(r.code).toBe(1);
    expect(r.output).toContain('tessera: STORE_CANNOT_OPEN: ');
    expect(r.output).toContain(`path: ${missingDir}`);
    expect(r.output).not.toContain('INTERNAL');
    const notDb = join(work, 'not-a-db.db');
    writeFileSync(notDb, 'this is a text file, long enough to have a header of sorts. '.repeat(100));
    r = await cli(['center', '--config', centerConfig('not-db', { db: notDb })], { TESSERA_LOG_LEVEL: 'silent' });
    expect(r.code).toBe(1);
    expect(r.output).toContain('tessera: STORE_CORRUPT: ');
    expect(r.output).toContain(`path: ${notDb}`);
    expect(r.output).toContain('reason: SQLITE_NOTADB');
    expect(r.output).not.toMatch(STACK);
  });

  it('loads every error registry, so every code prints its remedy (cli/registries.ts lists them all)', () => {
    const found: string[] = [];
    const walk = (dir: string): void => {
      for (const name of readdirSync(dir)) {
        const p = join(dir, name);
        if (statSync(p).isDirectory()) walk(p);
        else if (name === 'errors.ts' && readFileSync(p, 'utf8').includes('defineErrors(')) found.push(p);
      }
    };
    for (const area of ['protocol', 'center', 'terminal', 'sim', 'cli']) walk(join(process.cwd(), area));
    const listed = readFileSync(join(process.cwd(), 'cli', 'registries.ts'), 'utf8');
    const missing = found.filter((f) => !listed.includes(`'${relative(join(process.cwd(), 'cli'), f).replace(/\.ts$/, '.js').replace(/^(?!\.)/, './')}'`));
    expect(missing).toEqual([]);
  });
});

describe('tessera: command line', { timeout: 120_000 }, () => {
  it('prints its version with --version', async () => {
    const r = await cli(['--version']);
    expect(r.code).toBe(0);
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
    expect(r.output.trim()).toBe(pkg.version);
  });

  it('refuses an unknown command, even with --help, with a coded error and exit 2', async () => {
    for (const args of [['frobnicate', '--help'], ['frobnicate']]) {
      const r = await cli(args);
      expect(r.code).toBe(2);
      expect(r.output).toContain("tessera: CLI_UNKNOWN_COMMAND: unknown command 'frobnicate'");
      expect(r.output).not.toContain('Usage: tessera [options] [command]');
    }
  });

  it('codes a bad option (CLI_BAD_ARGUMENT, exit 2)', async () => {
    const r = await cli(['audit']);
    expect(r.code).toBe(2);
    expect(r.output).toContain("tessera: CLI_BAD_ARGUMENT: required option '--db <target>' not specified");
  });
});

describe('tessera center/terminal --check: what a start checks', { timeout: 120_000 }, () => {
  it('center refuses a master key file readable by others, at start and with --check', async () => {
    const loose = join(work, 'loose-master.key');
    writeFileSync(loose, keys.masterKey.toString('hex'), { mode: 0o644 });
    for (const extra of [[], ['--check']]) {
      const r = await cli(['center', '--config', centerConfig('loose', { terminalKeys: { masterKeyFile: loose } }), ...extra], { TESSERA_LOG_LEVEL: 'silent' });
      expect(r.code).toBe(1);
      expect(r.output).toContain('tessera: CENTER_KEY_FILE_PERMISSIONS: ');
      expect(r.output).toContain(`path: ${loose}`);
      expect(r.output).toContain('mode: 644');
      expect(r.output).not.toContain(keys.masterKey.toString('hex'));
    }
  });

  it('center --check refuses a missing master key file and a database directory that does not exist', async () => {
    let r = await cli(['center', '--check', '--config', centerConfig('nokey', { terminalKeys: { masterKeyFile: join(work, 'absent.key') } })]);
    expect(r.code).toBe(1);
    expect(r.output).toContain('tessera: CENTER_KEY_FILE: ');
    r = await cli(['center', '--check', '--config', centerConfig('nodir', { db: join(work, 'absent-dir', 'c.db') })]);
    expect(r.code).toBe(1);
    expect(r.output).toContain('tessera: STORE_CANNOT_OPEN: ');
    r = await cli(['center', '--check', '--config', centerConfig('fine')]);
    expect(r.code).toBe(0);
    // A PostgreSQL password in the db URL is not printed back.
    r = await cli(['center', '--check', '--config', centerConfig('pg', { db: 'postgres://tessera:s3cret-pw@127.0.0.1:5432/tessera' })]);
    expect(r.code).toBe(0);
    expect(r.output).toContain('postgres://tessera:***@127.0.0.1:5432/tessera');
    expect(r.output).not.toContain('s3cret-pw');
  });

  it('terminal --check refuses an unknown role and bad role settings', async () => {
    let r = await cli(['terminal', '--check', '--config', terminalConfig('unknown-role', { role: 'juggler' })]);
    expect(r.code).toBe(1);
    expect(r.output).toContain('tessera: TERM_UNKNOWN_ROLE: ');
    r = await cli(['terminal', '--check', '--config', terminalConfig('bad-settings', { role: 'vending', roleSettings: { products: {} } })]);
    expect(r.code).toBe(1);
    expect(r.output).toContain('tessera: TERM_CONFIG_INVALID: ');
    expect(r.output).toContain('products');
    r = await cli(['terminal', '--check', '--config', terminalConfig('no-journal-dir', { journal: join(work, 'absent-dir', 'j.db') })]);
    expect(r.code).toBe(1);
    expect(r.output).toContain('tessera: TERM_JOURNAL_OPEN: ');
    r = await cli(['terminal', '--check', '--config', terminalConfig('fine', { role: 'vending', roleSettings: { products: { A1: 120 } } })]);
    expect(r.code).toBe(0);
  });
});

describe('tessera keys terminal --out: regular files only', { timeout: 120_000 }, () => {
  const master = (): string => keys.masterKeyFile;

  it('refuses a symlink (as /dev/stdout is) even with --force, leaving the link and its target as they were', async () => {
    const target = join(work, 'link-target.txt');
    writeFileSync(target, 'not a key\n');
    const link = join(work, 'stdout-like');
    symlinkSync(target, link);
    const r = await cli(['keys', 'terminal', '--master', master(), '--key-ref', 'k-1', '--out', link, '--force']);
    expect(r.code).toBe(1);
    expect(r.output).toContain('tessera: CENTER_KEY_OUT_NOT_FILE: ');
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readlinkSync(link)).toBe(target);
    expect(readFileSync(target, 'utf8')).toBe('not a key\n');
  });

  it('refuses a FIFO and a directory, and still writes a new regular file 0600', async () => {
    const fifo = join(work, 'key.fifo');
    execFileSync('mkfifo', [fifo]);
    const dir = join(work, 'a-dir');
    mkdirSync(dir);
    for (const out of [fifo, dir]) {
      const r = await cli(['keys', 'terminal', '--master', master(), '--key-ref', 'k-1', '--out', out, '--force']);
      expect(r.code).toBe(1);
      expect(r.output).toContain('tessera: CENTER_KEY_OUT_NOT_FILE: ');
    }
    expect(lstatSync(fifo).isFIFO()).toBe(true);
    const out = join(work, 'fresh.key');
    const r = await cli(['keys', 'terminal', '--master', master(), '--key-ref', 'k-1', '--out', out]);
    expect(r.code).toBe(0);
    expect(statSync(out).mode & 0o777).toBe(0o600);
  });
});
