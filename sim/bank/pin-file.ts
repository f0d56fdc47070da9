import { readFileSync, statSync } from 'node:fs';
import { TesseraError } from '../../core/errors.js';

/**
 * Reads a PIN (or security code) file of `tessera bank serve`: one line of
 * 4-12 digits, not accessible to group or others (checked where the
 * platform has modes). Errors name the file and its length, never the PIN.
 */
export function readPinFile(path: string): string {
  let mode: number;
  let text: string;
  try {
    mode = statSync(path).mode;
    text = readFileSync(path, 'latin1').trim();
  } catch (e) {
    throw new TesseraError('BANKHOST_PIN_FILE', 'cannot read the PIN file', { path }, { cause: e });
  }
  if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
    throw new TesseraError('BANKHOST_PIN_FILE_PERMISSIONS', 'the PIN file is accessible to group or others', { path, mode: (mode & 0o777).toString(8) });
  }
  if (!/^[0-9]{4,12}$/.test(text)) throw new TesseraError('BANKHOST_PIN_FILE', 'the PIN file must hold 4-12 digits', { path, chars: text.length });
  return text;
}
