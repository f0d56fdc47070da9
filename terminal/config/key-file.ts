import { readFileSync, statSync } from 'node:fs';
import { termError } from '../agent/errors.js';

const KEY_BYTES = 32;

/**
 * Reads the terminal key: 32 raw bytes, or 64 hex chars (surrounding
 * whitespace ignored). The file must not be readable or writable by group or
 * others (checked where the platform has modes). The key never appears in an
 * error: details carry the path and sizes only.
 */
export function readTerminalKey(path: string, opts: { checkPermissions?: boolean } = {}): Buffer {
  let raw: Buffer;
  let mode: number;
  try {
    mode = statSync(path).mode;
    raw = readFileSync(path);
  } catch (e) {
    throw termError('TERM_KEY_FILE', 'cannot read the terminal key file', { path }, e);
  }
  if ((opts.checkPermissions ?? process.platform !== 'win32') && (mode & 0o077) !== 0) {
    throw termError('TERM_KEY_FILE_PERMISSIONS', 'the terminal key file is accessible to group or others', { path, mode: (mode & 0o777).toString(8) });
  }
  if (raw.length === KEY_BYTES) return Buffer.from(raw);
  const text = raw.toString('latin1').trim();
  if (/^[0-9a-fA-F]{64}$/.test(text)) return Buffer.from(text, 'hex');
  throw termError('TERM_KEY_FILE', 'the terminal key file must hold 32 raw bytes or 64 hex chars', { path, bytes: raw.length });
}
