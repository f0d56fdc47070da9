import { createHmac } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { TesseraError } from '../../core/errors.js';
import type { TerminalKeyLookup } from '../net/types.js';

/**
 * Terminal keys: one master key (in a file, never in the config or logs),
 * diversified per terminal by the terminal's key reference, so the key store
 * is a single secret and a terminal's key can be rotated by changing its
 * keyRef. The provisioning side (sim, deployment tools) uses the same function.
 */
export function deriveTerminalKey(masterKey: Buffer, keyRef: string): Buffer {
  return createHmac('sha256', masterKey).update(`tessera/terminal-key/v1/${keyRef}`).digest();
}

/**
 * Reads the master key file: hex, 32-64 bytes, surrounding whitespace
 * ignored. Like every other secret file it must not be readable or writable
 * by group or others (CENTER_KEY_FILE_PERMISSIONS; checked where the platform has modes).
 */
export function readMasterKey(path: string): Buffer {
  let text: string;
  let mode: number;
  try {
    mode = statSync(path).mode;
    text = readFileSync(path, 'utf8').trim();
  } catch (e) {
    throw new TesseraError('CENTER_KEY_FILE', 'cannot read the terminal master key file', { path }, { cause: e });
  }
  if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
    throw new TesseraError('CENTER_KEY_FILE_PERMISSIONS', 'the terminal master key file is accessible to group or others', { path, mode: (mode & 0o777).toString(8) });
  }
  if (!/^([0-9a-fA-F]{2}){32,64}$/.test(text)) {
    throw new TesseraError('CENTER_KEY_FILE', 'the master key file must hold 32-64 bytes of hex', { path, chars: text.length });
  }
  return Buffer.from(text, 'hex');
}

/** The handshake's key lookup: a registered terminal (any status) has a key; the validity check judges its status. */
export function terminalKeyLookup(terminals: { getTerminal(id: string): Promise<{ readonly keyRef: string } | undefined> }, masterKey: Buffer): TerminalKeyLookup {
  return async (terminalId) => {
    const t = await terminals.getTerminal(terminalId).catch(() => undefined);
    return t ? deriveTerminalKey(masterKey, t.keyRef) : undefined;
  };
}
