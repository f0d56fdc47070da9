import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { TesseraError } from '../../core/errors.js';
import { writeFileAtomic } from '../../terminal/devices/files/atomic-write.js';
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
  if (!o.force && existsSync(outFile)) throw new TesseraError('CENTER_KEY_OUT_EXISTS', 'the terminal key file already exists', { outFile });
  const key = deriveTerminalKey(readMasterKey(o.masterKeyFile), o.keyRef);
  await writeFileAtomic(outFile, Buffer.from(`${key.toString('hex')}\n`, 'ascii'), String(process.pid));
  key.fill(0);
  return { outFile };
}
