import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { errorCode } from '../../../core/errors.js';
import { loadCenterConfig, parseCenterConfig, sectionOf } from '../../../center/server/config.js';
import { CenterErrors } from '../../../center/server/errors.js';
import { deriveTerminalKey, readMasterKey, terminalKeyLookup } from '../../../center/server/terminal-keys.js';
import { TransactionRegistry } from '../../../center/validity/transaction-registry.js';
import { recordCheckedTransaction } from '../../../center/validity/checked-transactions.js';
import { CENTER_MODULES } from '../../../center/modules.js';
import { validityModule } from '../../../center/validity/module.js';
import { TX_KIND } from '../../../protocol/codes.js';
import { ValidityErrors } from '../../../center/validity/errors.js';
import { keyDir } from './support.js';

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return errorCode(e);
  }
  return 'NO_ERROR';
}

describe('center config', () => {
  it('fills every default from just the key file', () => {
    expect(parseCenterConfig({ terminalKeys: { masterKeyFile: '/k' } }, CENTER_MODULES)).toEqual({
      listen: { host: '127.0.0.1', port: 7_700, maxConnections: 1_024 },
      db: './tessera-center.db',
      validity: { mode: 'cached', refreshIntervalMs: 300_000, deferredCheckTimeoutMs: 5_000 },
      terminalKeys: { masterKeyFile: '/k' },
    });
  });

  it('names every bad field (CENTER_CONFIG_INVALID)', () => {
    try {
      parseCenterConfig({ validity: { mode: 'fast', refreshIntervalMs: 5 }, listen: { port: 70_000, maxConnections: 0 }, extra: 1 }, CENTER_MODULES);
      expect.unreachable();
    } catch (e) {
      expect(errorCode(e)).toBe('CENTER_CONFIG_INVALID');
      const msg = (e as Error).message;
      for (const field of ['validity.mode', 'validity.refreshIntervalMs', 'listen.port', 'listen.maxConnections', 'terminalKeys']) expect(msg).toContain(field);
      expect(msg).toMatch(/extra/);
    }
  });

  it('reads JSON files and reports unreadable or non-JSON ones (CENTER_CONFIG_UNREADABLE)', () => {
    const k = keyDir();
    try {
      const good = join(k.dir, 'c.json');
      writeFileSync(good, JSON.stringify({ terminalKeys: { masterKeyFile: k.masterKeyFile }, validity: { mode: 'cached-medium' }, db: 'postgres://x@h/db' }));
      expect(sectionOf(loadCenterConfig(good, CENTER_MODULES), validityModule()).mode).toBe('cached-medium');
      const bad = join(k.dir, 'bad.json');
      writeFileSync(bad, '{ nope');
      expect(codeOf(() => loadCenterConfig(bad, CENTER_MODULES))).toBe('CENTER_CONFIG_UNREADABLE');
      expect(codeOf(() => loadCenterConfig(join(k.dir, 'missing.json'), CENTER_MODULES))).toBe('CENTER_CONFIG_UNREADABLE');
    } finally {
      k.remove();
    }
  });
});

describe('terminal keys', () => {
  it('derives a per-keyRef key from the master key file, and refuses a malformed file (CENTER_KEY_FILE)', async () => {
    const k = keyDir();
    try {
      const master = readMasterKey(k.masterKeyFile);
      expect(master.equals(k.masterKey)).toBe(true);
      expect(deriveTerminalKey(master, 'a')).toHaveLength(32);
      expect(deriveTerminalKey(master, 'a').equals(deriveTerminalKey(master, 'b'))).toBe(false);
      const lookup = terminalKeyLookup({ getTerminal: async (id) => (id === 'T-1' ? ({ keyRef: 'a' } as never) : undefined) }, master);
      expect((await lookup('T-1'))?.equals(deriveTerminalKey(master, 'a'))).toBe(true);
      expect(await lookup('T-2')).toBeUndefined();
      writeFileSync(join(k.dir, 'short.key'), 'abcd', { mode: 0o600 });
      expect(codeOf(() => readMasterKey(join(k.dir, 'short.key')))).toBe('CENTER_KEY_FILE');
      // Like every other secret file: not readable by group or others.
      writeFileSync(join(k.dir, 'loose.key'), k.masterKey.toString('hex'), { mode: 0o644 });
      expect(codeOf(() => readMasterKey(join(k.dir, 'loose.key')))).toBe('CENTER_KEY_FILE_PERMISSIONS');
    } finally {
      k.remove();
    }
  });
});

describe('transaction registry', () => {
  it('refuses a second handler for a kind unless replacing, and fills the remaining kinds', () => {
    const handler = recordCheckedTransaction;
    const r = new TransactionRegistry().register(TX_KIND.REFUND, handler);
    expect(codeOf(() => r.register(TX_KIND.REFUND, handler))).toBe('CENTER_TX_KIND_TAKEN');
    const other = async () => ({ approved: false, resultCode: 9 });
    r.register(TX_KIND.REFUND, other, { replace: true }).registerRemaining(handler);
    expect(r.get(TX_KIND.REFUND)).toBe(other);
    for (const kind of Object.values(TX_KIND).filter((k) => k !== TX_KIND.REFUND)) expect(r.get(kind)).toBe(handler);
  });
});

describe('error registries (pinned)', () => {
  it('validity and center codes', () => {
    expect(Object.keys(ValidityErrors)).toEqual([
      'VALIDITY_STORE_FULL',
      'VALIDITY_LOAD_FAILED',
      'VALIDITY_SOURCE_UNAVAILABLE',
      'VALIDITY_NOT_STARTED',
      'VALIDITY_KIND_INVALID',
      'VALIDITY_KIND_TAKEN',
    ]);
    expect(Object.keys(CenterErrors)).toEqual([
      'CENTER_CONFIG_UNREADABLE',
      'CENTER_CONFIG_INVALID',
      'CENTER_KEY_FILE',
      'CENTER_TLS_FILE',
      'CENTER_LISTEN_FAILED',
      'CENTER_TX_KIND_TAKEN',
      'CENTER_ISSUER_KEY_FILE',
      'CENTER_SECURITY_CODE_FILE',
      'CENTER_SECRET_FILE_PERMISSIONS',
      'CENTER_NO_EMONEY',
      'CENTER_KEY_OUT_EXISTS',
      'CENTER_FLOW_TYPE_TAKEN',
      'CENTER_KEY_OUT_NOT_FILE',
      'CENTER_KEY_FILE_PERMISSIONS',
      'CENTER_ADMIN_LISTEN_FAILED',
      'CENTER_MODULE_MISSING',
      'CENTER_NO_TERMINAL_DIRECTORY',
    ]);
  });
});
