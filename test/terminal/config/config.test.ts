import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadTerminalConfig, parseTerminalConfig } from '../../../terminal/config/load.js';
import { readTerminalKey } from '../../../terminal/config/key-file.js';

const dir = mkdtempSync(join(tmpdir(), 'tessera-tconf-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const minimal = {
  terminalId: 'POS-1',
  keyFile: 'terminal.key',
  centers: [{ host: '127.0.0.1', port: 7700 }],
  devices: { reader: { namePattern: '^Tessera' } },
  journal: 'journal.db',
};

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (e) {
    return (e as { code?: string }).code;
  }
}

describe('terminal config', () => {
  it('fills defaults for a minimal config', () => {
    const c = parseTerminalConfig(minimal);
    expect(c.role).toBe('validity-pos');
    expect(c.link).toEqual({ requestTimeoutMs: 5_000, attempts: 3 });
    expect(c.transaction).toEqual({ kind: 'PURCHASE', amountMinor: 0, currency: 'JPY' });
  });

  it('lists every bad field by path in TERM_CONFIG_INVALID', () => {
    try {
      parseTerminalConfig({ ...minimal, terminalId: 'pos 1', centers: [], role: 'ATM!', devices: { reader: { namePattern: '(' }, scanner: { port: '/dev/x', baudRate: 1234 } } });
      expect.unreachable();
    } catch (e) {
      const err = e as { code: string; details: { problems: string[] } };
      expect(err.code).toBe('TERM_CONFIG_INVALID');
      const paths = err.details.problems.map((p) => p.split(':')[0]);
      expect(paths).toEqual(expect.arrayContaining(['terminalId', 'centers', 'role', 'devices.reader.namePattern', 'devices.scanner.baudRate']));
    }
    expect(codeOf(() => parseTerminalConfig({ ...minimal, extra: 1 }))).toBe('TERM_CONFIG_INVALID');
    expect(codeOf(() => parseTerminalConfig({ ...minimal, transaction: { amountMinor: 1.5 } }))).toBe('TERM_CONFIG_INVALID');
  });

  it('loads a file, resolving relative paths against the config directory', () => {
    const file = join(dir, 'terminal.json');
    writeFileSync(file, JSON.stringify({ ...minimal, devices: { ...minimal.devices, store: { mountDir: 'media' } } }));
    const c = loadTerminalConfig(file);
    expect(c.keyFile).toBe(join(dir, 'terminal.key'));
    expect(c.journal).toBe(join(dir, 'journal.db'));
    expect(c.devices.store?.mountDir).toBe(join(dir, 'media'));
  });

  it('unreadable or non-JSON files are TERM_CONFIG_UNREADABLE', () => {
    expect(codeOf(() => loadTerminalConfig(join(dir, 'nope.json')))).toBe('TERM_CONFIG_UNREADABLE');
    writeFileSync(join(dir, 'bad.json'), '{ not json');
    expect(codeOf(() => loadTerminalConfig(join(dir, 'bad.json')))).toBe('TERM_CONFIG_UNREADABLE');
  });
});

describe('terminal key file', () => {
  const key = Buffer.from(Array.from({ length: 32 }, (_, i) => i * 7));
  const write = (name: string, data: string | Buffer, mode = 0o600): string => {
    const p = join(dir, name);
    writeFileSync(p, data);
    chmodSync(p, mode);
    return p;
  };

  it('reads 64 hex chars (with whitespace) or 32 raw bytes', () => {
    expect(readTerminalKey(write('hex.key', `  ${key.toString('hex')}\n`))).toEqual(key);
    expect(readTerminalKey(write('raw.key', key))).toEqual(key);
  });

  it('refuses group/other access, wrong sizes and missing files, without the key in the error', () => {
    const open = write('open.key', key.toString('hex'), 0o644);
    try {
      readTerminalKey(open);
      expect.unreachable();
    } catch (e) {
      expect((e as { code: string }).code).toBe('TERM_KEY_FILE_PERMISSIONS');
      expect(JSON.stringify({ m: (e as Error).message, d: (e as { details: unknown }).details })).not.toContain(key.toString('hex'));
    }
    expect(codeOf(() => readTerminalKey(write('short.key', 'abcd')))).toBe('TERM_KEY_FILE');
    expect(codeOf(() => readTerminalKey(write('long.key', `${key.toString('hex')}00`)))).toBe('TERM_KEY_FILE');
    expect(codeOf(() => readTerminalKey(join(dir, 'missing.key')))).toBe('TERM_KEY_FILE');
  });
});
