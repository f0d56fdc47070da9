import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { TesseraError } from '../../core/errors.js';
import { termError } from '../agent/errors.js';
import { terminalConfigSchema, type TerminalConfig } from './schema.js';

/** Validates a config object; TERM_CONFIG_INVALID lists every bad field by path. */
export function parseTerminalConfig(input: unknown): TerminalConfig {
  const r = terminalConfigSchema.safeParse(input);
  if (r.success) return r.data;
  const problems = r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
  throw termError('TERM_CONFIG_INVALID', problems.join('; '), { problems });
}

/**
 * Reads and validates a JSON config file. Relative file paths in it (key
 * file, journal, store mount dir) are taken relative to the config file.
 */
export function loadTerminalConfig(path: string): TerminalConfig {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw termError('TERM_CONFIG_UNREADABLE', `cannot read ${path} as JSON`, { path }, e);
  }
  let config: TerminalConfig;
  try {
    config = parseTerminalConfig(json);
  } catch (e) {
    // The same error, naming the file the bad fields are in.
    if (e instanceof TesseraError) throw new TesseraError(e.code, e.message.slice(e.code.length + 2), { path, ...e.details });
    throw e;
  }
  const base = dirname(resolve(path));
  const abs = (p: string): string => (isAbsolute(p) || p === ':memory:' ? p : resolve(base, p));
  return {
    ...config,
    keyFile: abs(config.keyFile),
    journal: abs(config.journal),
    devices: { ...config.devices, ...(config.devices.store && { store: { mountDir: abs(config.devices.store.mountDir) } }) },
  };
}
