/**
 * What the messaging parties of the simulator (the SMSC, the mail server,
 * the phone) share when run as `tessera <party> serve`: a JSON config
 * validated by a zod schema (every bad field named), secret files read
 * through the kit's 0600 check, JSON event lines on stdout, and control
 * lines on stdin (`{"cmd":"…",…}`) answered with `{"ok":true,"cmd":…}` or
 * `{"ok":false,"code":…}`.
 */
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { z } from 'zod';
import { readSecretFile } from '../../center/kit/secret-files.js';
import { errorCode, TesseraError } from '../../core/errors.js';

export function loadJsonConfig<S extends z.ZodTypeAny>(path: string, schema: S, invalidCode: string): z.infer<S> {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new TesseraError(invalidCode, `cannot read ${path} as JSON`, { path }, { cause: e });
  }
  const r = schema.safeParse(json);
  if (r.success) return r.data as z.infer<S>;
  const problems = r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
  throw new TesseraError(invalidCode, problems.join('; '), { path, problems });
}

/** A one-line secret (a password) from a 0600 file, trailing newline removed; never shown. */
export function readSecretLine(path: string, what: string, unreadable: string, permissions: string, maxChars: number): string {
  const text = readSecretFile(path, { what, unreadable, permissions }).toString('utf8').replace(/\r?\n$/, '');
  if (text.length === 0 || text.length > maxChars || /[\r\n]/.test(text)) {
    throw new TesseraError(unreadable, `the ${what} file must hold one line of 1-${maxChars} characters`, { path });
  }
  return text;
}

export function printLine(o: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(o)}\n`);
}

/** Reads control lines from stdin until it ends; each answered on stdout. */
export function controlLines(badCode: string, handle: (cmd: string, args: Record<string, unknown>) => Promise<void> | void): void {
  createInterface({ input: process.stdin }).on('line', (line) => {
    if (line.trim() === '') return;
    void (async () => {
      let o: unknown;
      try {
        o = JSON.parse(line);
      } catch {
        printLine({ ok: false, code: badCode });
        return;
      }
      const cmd = o !== null && typeof o === 'object' && typeof (o as { cmd?: unknown }).cmd === 'string' ? (o as { cmd: string }).cmd : '';
      try {
        await handle(cmd, o as Record<string, unknown>);
        printLine({ ok: true, cmd });
      } catch (e) {
        printLine({ ok: false, cmd, code: errorCode(e) });
      }
    })();
  });
}
