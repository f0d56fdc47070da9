import { errorSpec } from '../errors.js';
import { OTHER } from './labels.js';

/** A code as a label when some loaded registry declares it (a finite set); `none` for no code, `other` for anything else. */
export function registeredCode(code: string | null | undefined): string {
  if (code === null || code === undefined) return 'none';
  return errorSpec(code) !== undefined ? code : OTHER;
}
