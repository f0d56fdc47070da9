/**
 * Secret files a center reads at start (keys, security codes): each in its
 * own file that group and others cannot touch (mode checked where the
 * platform has modes). Errors carry the caller's codes and name the file,
 * never the content; parsing the content is the caller's.
 */
import { readFileSync, statSync } from 'node:fs';
import { TesseraError } from '../../core/errors.js';

export interface SecretFile {
  /** What the file holds, for messages ("issuer master key"). */
  readonly what: string;
  /** The code when the file cannot be read (and, by the caller, when its content is malformed). */
  readonly unreadable: string;
  /** The code when group or others may read or write it. */
  readonly permissions: string;
}

/** The raw bytes of a secret file whose mode grants nothing to group or others. */
export function readSecretFile(path: string, f: SecretFile): Buffer {
  let mode: number;
  let raw: Buffer;
  try {
    mode = statSync(path).mode;
    raw = readFileSync(path);
  } catch (e) {
    throw new TesseraError(f.unreadable, `cannot read the ${f.what} file`, { path }, { cause: e });
  }
  if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
    throw new TesseraError(f.permissions, `the ${f.what} file is accessible to group or others`, { path, mode: (mode & 0o777).toString(8) });
  }
  return raw;
}
