import { closeSync, existsSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { errorCode, TesseraError } from './errors.js';

/**
 * Creates a missing file empty with mode 0600 whatever the umask (SQLite
 * takes an empty file as a new database and gives its -wal and -shm files the
 * database file's mode). An existing file is left as it is.
 */
export function createPrivateFile(path: string): void {
  if (path === ':memory:' || path === '' || existsSync(path)) return;
  try {
    closeSync(openSync(path, 'wx', 0o600));
  } catch (e) {
    if (errorCode(e) !== 'EEXIST') throw e;
  }
}

/**
 * An exclusive hold on a resource (a state directory, a journal) between
 * processes: a lock file holding the holder's pid. A lock whose process is
 * gone (killed, crashed) is taken over; a live holder is refused with `code`.
 */
export class PidLock {
  private constructor(readonly path: string) {}

  static acquire(path: string, code: string, what: string): PidLock {
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fd = openSync(path, 'wx', 0o600);
        writeSync(fd, `${process.pid}\n`);
        closeSync(fd);
        return new PidLock(path);
      } catch (e) {
        if (errorCode(e) !== 'EEXIST') throw new TesseraError(code, `cannot create the lock file of ${what}`, { path }, { cause: e });
      }
      const holder = lockHolder(path);
      if (holder !== null && holder !== process.pid && alive(holder)) {
        throw new TesseraError(code, `${what} is in use by process ${holder}`, { path, pid: holder });
      }
      // The holder is gone: the lock is stale.
      try {
        unlinkSync(path);
      } catch {
        // another starter removed it first
      }
    }
    throw new TesseraError(code, `${what} is in use (its lock file keeps coming back)`, { path });
  }

  /** Removes the lock file if it is still this process's. */
  release(): void {
    if (lockHolder(this.path) !== process.pid) return;
    try {
      unlinkSync(this.path);
    } catch {
      // already gone
    }
  }
}

function lockHolder(path: string): number | null {
  try {
    const pid = Number(readFileSync(path, 'utf8').trim());
    return Number.isSafeInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return errorCode(e) === 'EPERM';
  }
}

/**
 * A listener's PEM certificate and key (`{ certFile, keyFile }` of a config):
 * `code` (CENTER_TLS_FILE, ADMIN_TLS_FILE, …) when either cannot be read,
 * naming the certificate file, never the key's content.
 */
export function readTlsFiles(tls: { readonly certFile: string; readonly keyFile: string }, code: string, what: string): { cert: Buffer; key: Buffer } {
  try {
    return { cert: readFileSync(tls.certFile), key: readFileSync(tls.keyFile) };
  } catch (e) {
    throw new TesseraError(code, `cannot read ${what} TLS certificate or key`, { certFile: tls.certFile }, { cause: e });
  }
}
