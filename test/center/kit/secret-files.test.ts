/** Secret files: 0600 or refused with the caller's codes; the content never shown. */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readSecretFile } from '../../../center/kit/secret-files.js';
import { TesseraError } from '../../../core/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'tessera-kit-secret-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const FILE = { what: 'test key', unreadable: 'CENTER_KEY_FILE', permissions: 'CENTER_KEY_FILE_PERMISSIONS' };
const secret = (name: string, mode: number): string => {
  const p = join(dir, name);
  writeFileSync(p, 'hunter2-secret', { mode });
  chmodSync(p, mode);
  return p;
};
const failure = (fn: () => unknown): TesseraError => {
  try {
    fn();
  } catch (e) {
    if (e instanceof TesseraError) return e;
    throw e;
  }
  throw new Error('no error');
};

describe('readSecretFile', () => {
  it('returns the bytes of a 0600 (or 0400) file', () => {
    expect(readSecretFile(secret('ok', 0o600), FILE).toString()).toBe('hunter2-secret');
    expect(readSecretFile(secret('ro', 0o400), FILE).toString()).toBe('hunter2-secret');
  });

  it('a file group or others may read or write is refused with the permissions code, naming path and mode, never the content', () => {
    for (const mode of [0o640, 0o604, 0o620, 0o602]) {
      const e = failure(() => readSecretFile(secret(`loose-${mode.toString(8)}`, mode), FILE));
      expect(e.code).toBe('CENTER_KEY_FILE_PERMISSIONS');
      expect(e.details).toMatchObject({ path: join(dir, `loose-${mode.toString(8)}`), mode: mode.toString(8) });
      expect(`${e.message} ${JSON.stringify(e.details)}`).not.toContain('hunter2');
    }
  });

  it('a missing file is the unreadable code with the path', () => {
    const e = failure(() => readSecretFile(join(dir, 'missing'), FILE));
    expect(e.code).toBe('CENTER_KEY_FILE');
    expect(e.message).toContain('cannot read the test key file');
    expect(e.details).toEqual({ path: join(dir, 'missing') });
  });
});
