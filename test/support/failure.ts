import { errorCode } from '../../core/errors.js';

/** What a synchronous call threw: its registry code and message (NO_ERROR when it returned). */
export function failure(fn: () => unknown): { code: string; message: string } {
  try {
    fn();
  } catch (e) {
    return { code: errorCode(e), message: (e as Error).message };
  }
  return { code: 'NO_ERROR', message: '' };
}
