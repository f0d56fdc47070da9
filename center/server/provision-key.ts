import { existsSync, lstatSync } from 'node:fs';
import { resolve } from 'node:path';
import { TesseraError } from '../../core/errors.js';
import { writeFileAtomic } from '../../core/atomic-write.js';
import { deriveTerminalKey, readMasterKey } from './terminal-keys.js';

export interface ProvisionKeyOptions {
  readonly masterKeyFile: string;
  readonly keyRef: string;
  readonly outFile: string;
  readonly force?: boolean;
}

const KEY_REF = /^[\x21-\x7e]{1,64}$/;

/**
 * Writes a terminal's key file (64 hex chars, mode 0600, atomically) derived
 * from the center's master key and the terminal's keyRef — what the center
 * derives at the handshake. The key is never printed; an existing file is
 * kept unless `force` (replacing a key is a rotation the terminal must get).
 */
export async function provisionTerminalKey(o: ProvisionKeyOptions): Promise<{ outFile: string }> {
  if (!KEY_REF.test(o.keyRef)) throw new TesseraError('CENTER_CONFIG_INVALID', 'keyRef must be 1-64 printable ASCII characters', { keyRef: o.keyRef.length });
  const outFile = resolve(o.outFile);
  refuseNonRegular(outFile);
  if (!o.force && existsSync(outFile)) throw new TesseraError('CENTER_KEY_OUT_EXISTS', 'the terminal key file already exists', { outFile });
  const key = deriveTerminalKey(readMasterKey(o.masterKeyFile), o.keyRef);
  await writeFileAtomic(outFile, Buffer.from(`${key.toString('hex')}\n`, 'ascii'), String(process.pid));
  key.fill(0);
  return { outFile };
}

/**
 * A key goes to a regular file only: an existing symlink, device, FIFO or
 * directory at the path is refused (the atomic rename would replace a
 * symlink such as /dev/stdout with the key file, or write where it points).
 */
function refuseNonRegular(outFile: string): void {
  let kind: string | null = null;
  try {
    const st = lstatSync(outFile);
    if (st.isSymbolicLink()) kind = 'a symbolic link';
    else if (!st.isFile()) kind = st.isDirectory() ? 'a directory' : 'a device, FIFO or socket';
  } catch {
    return; // nothing there yet: a new regular file is written
  }
  if (kind) throw new TesseraError('CENTER_KEY_OUT_NOT_FILE', `--out names ${kind}, not a regular file`, { outFile });
}
